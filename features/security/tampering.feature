Feature: Tampering
  Signal checks every message: a ciphertext changed on the way is refused by the receiving phone
  before any app sees it, and nothing is provisioned from it.

  Background:
    Given Alice and Bob have phones with the credential app, on Signal

  @req=R-INTEGRITY-1
  Scenario: A tampered message is refused by Bob's phone and never reaches the credential app
    When Alice shares a car key with Bob
    And the network flips a bit in the next message to Bob's phone
    And Alice shares an authorization token with Bob
    Then Bob's phone rejected 1 message it could not decrypt
    And Bob's phone received the invitation 1 times
    And Bob's phone has provisioned no authorization token
    And Bob's phone provisions the car key exactly once

Feature: Replays
  A share is redeemed once. The same invitation sent again after the share completed, or a copy
  of it sent by someone else, provisions nothing more.

  Background:
    Given Alice and Bob have phones with the credential app, on Signal

  @req=R-REPLAY-1 @req=R-ONCE-1 @receiver-only
  Scenario: Alice's old invitation, replayed after the share completed, provisions nothing more
    When Alice shares a car key with Bob
    Then Bob's phone provisions the car key exactly once
    When 3 hours pass
    And Alice's phone sends Bob the car key invitation again
    Then Bob's phone received the invitation 2 times
    And Bob's phone provisions the car key exactly once

  @req=R-REPLAY-1 @req=R-THIRD-1 @receiver-only
  Scenario: A copy of Alice's invitation sent from a third account provisions nothing
    Given Mallory has a phone with the credential app, on Signal
    When Alice shares a car key with Bob
    And Mallory's phone sends Bob a copy of Alice's car key invitation
    Then Bob's phone received the invitation 2 times
    And Bob's phone provisions the car key exactly once

  @req=R-REPLAY-1 @req=R-THIRD-1 @receiver-only
  Scenario: A copy of Alice's invitation under a new message id, sent from a third account, provisions nothing
    Given Mallory has a phone with the credential app, on Signal
    When Alice shares a car key with Bob
    And Mallory's phone sends Bob a copy of Alice's car key invitation under a new message id
    Then Bob's phone received the invitation 2 times
    And Bob's phone provisions the car key exactly once

  @req=R-REPLAY-1 @req=R-VALID-1 @receiver-only
  Scenario: A damaged copy of Alice's invitation, arriving after the share completed, takes nothing back
    When Alice shares a car key with Bob
    Then Bob's phone provisions the car key exactly once
    When Alice's phone sends Bob a copy of Alice's car key invitation without its protocol version
    Then Bob's phone received the invitation 2 times
    And Bob's phone reports the share as provisioned
    And Bob's phone provisions the car key exactly once

  @stateful @req=R-REPLAY-1 @req=R-ONCE-1 @sender-only
  Scenario: Bob's signing request, sent again after the share completed, gets no second final package
    When Alice shares a car key with Bob in the stateful flow
    Then Bob's phone provisions the car key exactly once
    And Alice's phone reports the share as completed
    When 3 hours pass
    And Bob's phone asks Alice's phone to sign its key again
    Then Alice's phone received the key signing request 2 times
    And Alice's phone tried to send the final package 1 time
    And Alice's phone reports the share as completed
    And Bob's phone provisions the car key exactly once

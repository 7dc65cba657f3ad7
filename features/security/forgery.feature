@stateful
Feature: Forged messages
  Only the two parties of a transfer can move it on. A message about a real transfer from any
  other Signal account, a final package signed with the wrong key or over the wrong key, is
  refused or ignored, and the credential goes only where the sender meant it to.

  Background:
    Given Alice and Bob have phones with the credential app, on Signal

  @req=R-THIRD-1 @req=R-STATEFUL-3 @receiver-only
  Scenario: A final package from a third account is ignored, and the real one still completes the share
    Given Mallory has a phone with the credential app, on Signal
    When Alice's phone sends Bob a car key invitation in the stateful flow
    And Mallory's phone sends Bob a final package for the car key
    Then Bob's phone has provisioned nothing
    And Bob's phone reports the share as key-requested
    When Alice's phone answers Bob's signing request with a correct package
    Then Bob's phone provisions the car key exactly once

  @req=R-THIRD-1 @req=R-CANCEL-1 @receiver-only
  Scenario: A cancel from a third account is ignored: the share still completes
    Given Mallory has a phone with the credential app, on Signal
    And Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    And Mallory's phone sends Bob a cancel for the car key
    Then Bob's phone reports the share as key-requested
    When Alice's phone comes back online
    Then Bob's phone provisions the car key exactly once
    And Alice's phone reports the share as completed

  @req=R-THIRD-1 @req=R-ORDER-1 @receiver-only
  Scenario: A cancel from a third account that arrives before the invitation does not stop the share
    Given Mallory has a phone with the credential app, on Signal
    And the network delivers the next 2 messages to Bob's phone in reverse order
    When Alice shares a car key with Bob in the stateful flow
    And Mallory's phone sends Bob a cancel for the car key
    Then Bob's phone received the cancel before the invitation
    And Bob's phone provisions the car key exactly once

  # Found by exploration (docs/exploration.md) in the reference app itself.
  @req=R-THIRD-1 @req=R-CANCEL-1 @req=R-ORDER-1 @receiver-only
  Scenario: A forged cancel and Alice's own cancel both overtake her invitation: nothing is provisioned
    Given Mallory has a phone with the credential app, on Signal
    And the network delivers the next 3 messages to Bob's phone in reverse order
    When Alice shares a car key with Bob
    And Alice cancels the share
    And Mallory's phone sends Bob a cancel for the car key
    Then Bob's phone received the cancel before the invitation
    And Bob's phone has provisioned no car key
    And Bob's phone reports the share as cancelled

  @req=R-THIRD-1 @sender-only
  Scenario Outline: A <message> from a third account about Alice's share is ignored, and the share still completes with Bob
    Given Mallory has a phone with the credential app, on Signal
    And Bob's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    And Mallory's phone <sends>
    Then Alice's phone sent no final package for the car key
    And Alice's phone reports the share as invited
    When Bob's phone comes back online
    Then Bob's phone provisions the car key exactly once
    And Alice's phone sent one final package for the car key
    And Alice's phone reports the share as completed

    Examples:
      | message         | sends                                                         |
      | signing request | asks Alice's phone to sign a key for the car key              |
      | refusal         | answers Alice's phone that it refused the car key as expired  |
      | decline         | answers Alice's phone that it declined the car key            |

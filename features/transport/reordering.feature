Feature: Reordering
  Signal delivers every message, but not always in the order it was sent, and sometimes a copy
  arrives long after the share is done. Whatever the order, each share is provisioned once, a
  cancel wins over its invitation, and two shares never get mixed up.

  Background:
    Given Alice and Bob have phones with the credential app, on Signal

  @req=R-ORDER-1 @req=R-ONCE-1
  Scenario: Two shares delivered in reverse order are each provisioned once
    Given the network delivers the next 2 messages to Bob's phone in reverse order
    When Alice shares a car key with Bob
    And Alice shares an authorization token with Bob
    Then Bob's phone received the authorization token before the car key
    And Bob's phone provisions the car key exactly once
    And Bob's phone provisions the authorization token exactly once
    And Alice's phone reports the share as completed

  @req=R-ORDER-1 @req=R-ONCE-1
  Scenario: Jittered delays on two shares: each is provisioned once, whichever arrives first
    Given the network delays the next 2 messages to Bob's phone by 1 minute, give or take 30 minutes
    When Alice shares a car key with Bob
    And Alice shares an authorization token with Bob
    And 1 hour passes
    Then Bob's phone provisions the car key exactly once
    And Bob's phone provisions the authorization token exactly once

  @req=R-ORDER-1 @req=R-CANCEL-1
  Scenario: A cancel that overtakes its invitation: nothing is provisioned
    Given the network delivers the next 2 messages to Bob's phone in reverse order
    When Alice shares a car key with Bob
    And Alice cancels the share
    Then Bob's phone received the cancel before the invitation
    And Bob's phone has provisioned nothing
    And Bob's phone reports the share as cancelled
    And Alice's phone reports the share as cancelled

  @req=R-ONCE-1 @req=R-IDEM-1
  Scenario: A retransmitted invitation that arrives after the share completed provisions nothing more
    Given the server loses its response to Alice's phone's next message
    And the network delays the next message to Bob's phone by 2 hours
    When Alice shares a car key with Bob
    And the network is quiet
    Then Bob's phone provisions the car key exactly once
    And Alice's phone reports the share as completed
    When 3 hours pass
    Then Bob's phone received the invitation 2 times
    And Bob's phone provisions the car key exactly once

  @stateful @req=R-ORDER-1 @req=R-ONCE-1 @req=R-STATEFUL-2
  Scenario: Two stateful shares to the same phone, interleaved, are each provisioned once with their own key
    Given the network delivers the next 2 messages to Bob's phone in reverse order
    And the network delivers the next 2 messages to Alice's phone in reverse order
    And the network delivers the next 2 messages to Bob's phone in a shuffled order
    When Alice shares a car key with Bob in the stateful flow
    And Alice shares an authorization token with Bob in the stateful flow
    And the network is quiet
    Then Bob's phone provisions the car key exactly once
    And Bob's phone provisions the authorization token exactly once
    And the car key on Bob's phone is bound to the key it generated, signed by Alice's phone
    And the authorization token on Bob's phone is bound to the key it generated, signed by Alice's phone

  @stateful @req=R-IDEM-1 @req=R-ONCE-1
  Scenario: The stateful legs with reordered duplicates provision once, from one final package
    Given the server loses its response to Bob's phone's next message
    And the network delivers the next 2 messages to Alice's phone in reverse order
    And the network delivers every message to Bob's phone twice for the next 1 hour
    When Alice shares a car key with Bob in the stateful flow
    And the network is quiet
    Then Alice's phone received the same key signing request 2 times
    And Alice's phone sent one final package for the car key
    And Bob's phone provisions the car key exactly once
    And Alice's phone reports the share as completed

Feature: Accounts missing
  Both phones need Signal accounts. When one side has none, or loses it on the way, the sending
  phone must say so plainly, nothing may be provisioned, and nothing may wait on the server for
  somebody else to pick up.

  @req=R-ACCOUNT-1 @sender-only
  Scenario: Bob is not on Signal: Alice's phone reports it and sends nothing
    Given Alice has a phone with the credential app, on Signal
    And Bob is not on Signal
    When Alice shares a car key with Bob
    Then Alice's phone reports the share as failed because Bob is not on Signal
    And nothing was sent

  @req=R-ACCOUNT-1 @req=R-ONCE-1 @sender-only
  Scenario: After a share with Bob fails because he is not on Signal, Alice shares with Carol as a new transfer
    Given Alice and Carol have phones with the credential app, on Signal
    And Bob is not on Signal
    When Alice shares a car key with Bob
    Then Alice's phone reports the share as failed because Bob is not on Signal
    When Alice shares an authorization token with Carol
    Then Carol's phone provisions the authorization token exactly once
    And Alice's phone reports the share as completed

  @req=R-ACCOUNT-2 @sender-only
  Scenario: Alice's own Signal account is gone: her phone reports it and sends nothing
    Given Alice and Bob have phones with the credential app, on Signal
    And Alice's Signal account is deleted
    When Alice shares a car key with Bob
    Then Alice's phone reports the share as failed because her Signal account is not registered
    And nothing was sent

  @stateful @req=R-ACCOUNT-3 @req=R-RETRY-1
  Scenario: Bob deletes his account after asking for the signature: the share fails and nothing is provisioned
    Given Alice and Bob have phones with the credential app, on Signal
    And Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    Then Bob's phone reports the share as key-requested
    When Bob deletes his Signal account
    And Alice's phone comes back online
    And the network is quiet
    Then Alice's phone reports the share as failed because Bob is not on Signal
    And Alice's phone tried to send the final package 1 time
    And Bob's phone has provisioned nothing

  @req=R-ACCOUNT-3 @sender-only
  Scenario: An invitation waiting for an account that is then deleted is never delivered to anyone
    Given Alice and Bob have phones with the credential app, on Signal
    And Bob's phone is offline
    When Alice shares a car key with Bob
    Then the server holds Alice's invitation for Bob's phone
    When Bob deletes his Signal account
    And Bob registers on Signal again
    And the network is quiet
    Then Bob's phone received the invitation 0 times
    And Bob's phone has provisioned nothing
    And nothing is queued for Bob

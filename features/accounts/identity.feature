@stateful
Feature: Identity changes and several devices
  A Signal account changes under a transfer: its owner reinstalls Signal (a new identity key, a
  new safety number), links a tablet, or re-registers one. The final package must never go to a
  changed identity that nobody confirmed; device changes are Signal's business and must not
  disturb the share; and of several devices of the receiver, exactly one gets the credential.

  Background:
    Given Alice and Bob have phones with the credential app, on Signal

  @req=R-IDENTITY-1
  Scenario: Bob reinstalls Signal mid-transfer: the final package waits until Alice confirms his new safety number
    Given Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    Then Bob's phone reports the share as key-requested
    When Bob reinstalls Signal on his phone
    And Alice's phone comes back online
    And the network is quiet
    Then Alice's phone sent no final package for the car key
    And Bob's phone has provisioned nothing
    When Alice confirms Bob's new safety number
    And the network is quiet
    Then Bob's phone provisions the car key exactly once
    And Alice's phone reports the share as completed

  @req=R-IDENTITY-1 @req=R-CANCEL-1
  Scenario: Alice cancels her share with Carol while both final packages wait for new safety numbers: confirming them releases only Bob's
    Given Carol has a phone with the credential app, on Signal
    And Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    And Alice shares an authorization token with Carol in the stateful flow
    Then Carol's phone reports the share as key-requested
    When Bob reinstalls Signal on his phone
    And Carol reinstalls Signal on her phone
    And Alice's phone comes back online
    And the network is quiet
    Then Alice's phone sent no final package for the car key
    When Alice cancels the share
    And Alice confirms Bob's new safety number
    And Alice confirms Carol's new safety number
    And the network is quiet
    Then Bob's phone provisions the car key exactly once
    And Carol's phone has provisioned nothing
    And Alice's phone sent no final package for the authorization token
    And Carol's phone reports the share as cancelled

  # Found by exploration (docs/exploration.md) in the reference app itself, with the Python example as Bob.
  @req=R-IDENTITY-1 @req=R-CANCEL-1
  Scenario: Alice cancels while her final package waits for Bob's new safety number: confirming it afterwards sends nothing
    Given Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    Then Bob's phone reports the share as key-requested
    When Bob reinstalls Signal on his phone
    And Alice's phone comes back online
    And the network is quiet
    Then Alice's phone sent no final package for the car key
    When Alice cancels the share
    And Alice confirms Bob's new safety number
    And the network is quiet
    Then Alice's phone sent no final package for the car key
    And Bob's phone has provisioned nothing
    And Bob's phone reports the share as cancelled
    And Alice's phone reports the share as cancelled

  # Found by exploration (docs/exploration.md) in the reference app itself.
  @req=R-IDENTITY-1 @req=R-EXPIRY-1
  Scenario Outline: Alice confirms Bob's new safety number <moment> the car key expires: the final package she held is never sent
    Given Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow, expiring in 2 hours
    And Bob reinstalls Signal on his phone
    And Alice's phone comes back online
    And the network is quiet
    Then Alice's phone sent no final package for the car key
    # Bob's phone cannot tell Alice's that the share expired: her phone must know it on its own.
    When the server answers 503 to every message from Bob's phone for the next 4 hours
    And time runs until <moment> the car key expires
    And Alice confirms Bob's new safety number
    Then Alice's phone sent no final package for the car key
    And Alice's phone reports the share as failed because it expired
    When the network is quiet
    Then Alice's phone sent no final package for the car key
    And Bob's phone has provisioned nothing

    Examples: the edge of the expiration, and well after it
      | moment       |
      | the instant  |
      | 1 hour after |

  @req=R-IDENTITY-1 @sender-only
  Scenario: Bob reinstalled Signal since Alice last shared with him: her new invitation, which carries the car key, waits for her to confirm his new safety number
    When Alice shares an authorization token with Bob
    Then Bob's phone provisions the authorization token exactly once
    When Bob reinstalls Signal on his phone
    And Alice shares a car key with Bob
    And 2 hours pass
    Then Bob's phone has provisioned no car key

  @req=R-IDENTITY-1 @req=R-EXPIRY-1 @sender-only
  Scenario: Alice never confirms Bob's new safety number: her held invitation's share fails as expired at the expiration, not before, and confirming later sends nothing
    When Alice shares an authorization token with Bob
    Then Bob's phone provisions the authorization token exactly once
    When Bob reinstalls Signal on his phone
    And Alice shares a car key with Bob, expiring in 2 hours
    And time runs until 1 millisecond before the car key expires
    Then Alice's phone never reported the share as failed
    When time runs until the instant the car key expires
    Then Alice's phone reports the share as failed because it expired
    When Alice confirms Bob's new safety number
    And the network is quiet
    Then Bob's phone has provisioned no car key
    And Alice's phone reports the share as failed because it expired

  @req=R-DEVICE-2
  Scenario: Bob links a tablet during the transfer: the share completes without the apps noticing
    Given Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    And Bob links a tablet to his Signal account
    And Alice's phone comes back online
    Then the server told Alice's phone that Bob's devices had changed
    And Bob's phone provisions the car key exactly once
    And Alice's phone reports the share as completed

  @req=R-DEVICE-2
  Scenario: Bob's tablet registers again during the transfer: the share completes without the apps noticing
    Given Bob also has a tablet on Signal
    And Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    And Bob's tablet registers again
    And Alice's phone comes back online
    Then the server told Alice's phone that one of Bob's devices had registered again
    And Bob's phone provisions the car key exactly once
    And Alice's phone reports the share as completed

  @req=R-DEVICE-2
  Scenario: Bob unlinks his tablet during the transfer: the share completes without the apps noticing
    Given Bob also has a tablet on Signal
    And Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    And Bob unlinks his tablet from his Signal account
    And Alice's phone comes back online
    Then the server told Alice's phone that Bob's devices had changed
    And Bob's phone provisions the car key exactly once
    And Alice's phone reports the share as completed

  @req=R-DEVICE-1 @req=R-ONCE-1
  Scenario: Bob has a phone and a tablet: the first to answer gets the credential, the other is told it was taken
    Given Bob also has a tablet with the credential app, on Signal
    When Alice shares a car key with Bob in the stateful flow
    Then exactly one of Bob's devices provisions the car key
    And Bob's other device reports the share as failed because it was taken
    And Alice's phone sent one final package for the car key
    And Alice's phone reports the share as completed

  @req=R-IDENTITY-1 @sender-only
  Scenario: Bob and Carol both reinstall Signal mid-transfer: confirming Bob's safety number releases only Bob's final package
    Given Carol has a phone with the credential app, on Signal
    And Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    And Alice shares an authorization token with Carol in the stateful flow
    Then Bob's phone reports the share as key-requested
    And Carol's phone reports the share as key-requested
    When Bob reinstalls Signal on his phone
    And Carol reinstalls Signal on her phone
    And Alice's phone comes back online
    And the network is quiet
    Then Alice's phone sent no final package for the car key
    And Alice's phone sent no final package for the authorization token
    When Alice confirms Bob's new safety number
    And the network is quiet
    Then Bob's phone provisions the car key exactly once
    And Alice's phone sent no final package for the authorization token
    And Carol's phone has provisioned nothing
    When Alice confirms Carol's new safety number
    And the network is quiet
    Then Carol's phone provisions the authorization token exactly once
    And Alice's phone sent one final package for the authorization token
    And Alice's phone sent one final package for the car key

  @req=R-IDENTITY-1 @sender-only
  Scenario: Bob reinstalls Signal again before Alice confirmed: his final package waits for her second confirmation
    Given Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    Then Bob's phone reports the share as key-requested
    When Bob reinstalls Signal on his phone
    And Alice's phone comes back online
    And the network is quiet
    And Bob reinstalls Signal on his phone
    And Alice confirms Bob's new safety number
    And the network is quiet
    Then Alice's phone sent no final package for the car key
    When Alice confirms Bob's new safety number
    And the network is quiet
    Then Bob's phone provisions the car key exactly once
    And Alice's phone sent one final package for the car key
    And Alice's phone reports the share as completed

  @req=R-IDENTITY-1
  Scenario: Bob's phone asks again while his final package waits for Alice's confirmation: still nothing before it, one package after
    Given Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    Then Bob's phone reports the share as key-requested
    When Bob reinstalls Signal on his phone
    And Alice's phone comes back online
    And the network is quiet
    Then Alice's phone sent no final package for the car key
    When 2 hours pass
    Then Bob's phone sent its key signing request again between 1 minute and 2 hours after the first
    And Alice's phone sent no final package for the car key
    And Bob's phone has provisioned nothing
    When Alice confirms Bob's new safety number
    And the network is quiet
    Then Bob's phone provisions the car key exactly once
    And Alice's phone sent one final package for the car key
    And Alice's phone reports the share as completed

  @req=R-IDENTITY-1
  Scenario: Alice's phone hears Bob's new identity before sending him anything: the final package still waits for her confirmation
    Given the network drops the next message to Alice's phone on delivery
    When Alice shares a car key with Bob in the stateful flow
    Then Bob's phone reports the share as key-requested
    When Bob reinstalls Signal on his phone
    And 2 hours pass
    Then Bob's phone sent its key signing request again between 1 minute and 2 hours after the first
    And Alice's phone sent no final package for the car key
    And Bob's phone has provisioned nothing
    When Alice confirms Bob's new safety number
    And the network is quiet
    Then Bob's phone provisions the car key exactly once
    And Alice's phone reports the share as completed

  @req=R-IDENTITY-1 @sender-only
  Scenario: A retry planned before Alice's phone heard Bob's new identity waits for her confirmation too
    Given Bob's phone is played by the harness, bypassing his credential app
    And Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    And Bob's phone asks Alice's phone to sign a key for the car key
    And the server answers 503 to Alice's phone's next message
    And Alice's phone comes back online
    And Bob reinstalls Signal on his phone
    And Bob's phone asks Alice's phone to sign its key again
    And 1 hour passes
    Then Alice's phone tried to send the final package 1 time
    When Alice confirms Bob's new safety number
    And the network is quiet
    Then Alice's phone sent one final package for the car key

  @req=R-DEVICE-1 @sender-only
  Scenario: Bob's tablet answers that it refused the share after his phone got the final package: the share still completes
    Given Bob also has a tablet on Signal
    And Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    Then Bob's phone reports the share as key-requested
    Given the network delays the next message from Bob's phone to Alice's phone by 1 hour
    When Alice's phone comes back online
    Then Bob's phone provisions the car key exactly once
    When Bob's tablet answers Alice's phone that it refused the car key as unsupported
    And 1 hour passes
    Then Alice's phone reports the share as completed
    And Alice's phone sent one final package for the car key

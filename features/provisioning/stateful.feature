@stateful
Feature: Stateful provisioning
  In the stateful flow (the car-key case) the credential is made on the receiving phone. Bob's
  phone generates a key for it and asks Alice's phone to sign it; Alice's phone, the owner's,
  signs Bob's key and sends the final package back; Bob's phone provisions only a package bound
  to the key it generated and signed by the key Alice's invitation named.

  Background:
    Given Alice and Bob have phones with the credential app, on Signal

  @req=R-STATEFUL-1 @req=R-STATEFUL-2 @req=R-FORMAT-1
  Scenario Outline: Bob's phone provisions a <credential> bound to its own key and signed by Alice's phone
    When Alice shares a <credential> with Bob in the stateful flow
    Then Bob's phone provisions the <credential> exactly once
    And Bob's phone reports the share as provisioned
    And the <credential> on Bob's phone is bound to the key it generated, signed by Alice's phone
    And Alice's phone sent one final package for the <credential>
    And Alice's phone reports the share as completed

    Examples:
      | credential          |
      | car key             |
      | authorization token |

  @req=R-STATEFUL-1 @req=R-CONNECT-1
  Scenario: Alice's phone is offline when Bob's phone asks for its signature, and completes the share later
    Given Bob's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    And Alice's phone is offline
    And Bob's phone comes back online
    Then Bob's phone reports the share as key-requested
    And Bob's phone has provisioned nothing
    When 5 hours pass
    And Alice's phone comes back online
    Then Bob's phone provisions the car key exactly once
    And Alice's phone reports the share as completed

  @req=R-IDEM-1 @req=R-ONCE-1 @sender-only
  Scenario: A signing request that arrives twice gets the same final package, and Bob's phone one credential
    Given Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    And Bob's phone asks Alice's phone to sign its key again
    And Alice's phone comes back online
    Then Alice's phone sent one final package for the car key
    And Bob's phone provisions the car key exactly once
    And Alice's phone reports the share as completed

  @req=R-STATEFUL-2 @receiver-only
  Scenario: A final package signed over a different key is rejected and nothing is provisioned
    When Alice's phone sends Bob a car key invitation in the stateful flow
    And Alice's phone answers Bob's signing request with a package signed over another key
    Then Bob's phone has provisioned nothing
    And Bob's phone refuses the car key as key-mismatch

  @req=R-STATEFUL-3 @receiver-only
  Scenario: A final package not signed with the inviting sender's key is rejected and nothing is provisioned
    When Alice's phone sends Bob a car key invitation in the stateful flow
    And Alice's phone answers Bob's signing request with a package signed by another key
    Then Bob's phone has provisioned nothing
    And Bob's phone refuses the car key as bad-signature

  @req=R-CANCEL-1 @req=R-ORDER-1
  Scenario: Alice cancels right after inviting: nothing is provisioned and Bob's phone reports the share cancelled
    Given Bob's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    And Alice cancels the share
    And Bob's phone comes back online
    Then Bob's phone has provisioned nothing
    And Bob's phone reports the share as cancelled
    And Alice's phone reports the share as cancelled
    And Alice's phone sent no final package for the car key

  @req=R-CANCEL-1
  Scenario: Alice cancels after Bob's phone asked for its signature: nothing is provisioned
    Given Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    Then Bob's phone reports the share as key-requested
    When Alice cancels the share
    And Alice's phone comes back online
    Then Bob's phone has provisioned nothing
    And Bob's phone reports the share as cancelled
    And Alice's phone sent no final package for the car key

  @req=R-CANCEL-1 @req=R-ORDER-1
  Scenario: Alice cancels right after her final package left, and the cancel overtakes it: nothing is provisioned
    Given Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    Then Bob's phone reports the share as key-requested
    Given the network delivers the next 2 messages to Bob's phone in reverse order
    When Alice's phone comes back online
    Then Alice's phone sent one final package for the car key
    When Alice cancels the share
    Then Bob's phone received the cancel before the final package
    And Bob's phone has provisioned nothing
    And Bob's phone reports the share as cancelled
    And Alice's phone reports the share as cancelled

  @req=R-EXPIRY-1
  Scenario: The expiration passes between the legs: nothing is provisioned and both phones report it expired
    Given Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow, expiring in 24 hours
    Then Bob's phone reports the share as key-requested
    When 25 hours pass
    # Bob's phone knows the expiration on its own: it does not wait to hear from Alice's.
    Then Bob's phone refuses the car key as expired
    When Alice's phone comes back online
    Then Bob's phone has provisioned nothing
    And Bob's phone refuses the car key as expired
    And Alice's phone reports the share as failed because it expired
    And Alice's phone sent no final package for the car key

  @req=R-EXPIRY-1
  Scenario Outline: Bob's signing request reaches Alice's phone <moment> the car key expires: she sends <packages> final package
    Given Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow, expiring in 24 hours
    Then Bob's phone reports the share as key-requested
    When time runs until <moment> the car key expires
    And Alice's phone comes back online
    Then Alice's phone sent <packages> final package for the car key
    And Alice's phone reports the share as <outcome>
    And Bob's phone <bob>

    Examples: the edge of the expiration
      | moment               | packages | outcome                   | bob                                 |
      | 1 millisecond before | one      | completed                 | provisions the car key exactly once |
      | the instant          | no       | failed because it expired | has provisioned nothing             |
      | 5 minutes after      | no       | failed because it expired | has provisioned nothing             |

  @req=R-EXPIRY-1
  Scenario Outline: The final package, signed in time, reaches Bob's phone <moment> the car key expires: <outcome>
    Given Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow, expiring in 24 hours
    Then Bob's phone reports the share as key-requested
    When time runs until 1 millisecond before the car key expires
    And Bob's phone is offline
    And Alice's phone comes back online
    Then Alice's phone sent one final package for the car key
    When time runs until <moment> the car key expires
    And Bob's phone comes back online
    Then Bob's phone <bob>

    Examples: the edge of the expiration
      | moment               | outcome                    | bob                                 |
      | 1 millisecond before | it is provisioned          | provisions the car key exactly once |
      | the instant          | nothing is provisioned     | refuses the car key as expired      |

  @req=R-STATEFUL-2 @req=R-IDEM-1 @sender-only
  Scenario: A second signing request from Bob's phone with another key gets no second package
    Given Bob's phone is played by the harness, bypassing his credential app
    When Alice shares a car key with Bob in the stateful flow
    And Bob's phone asks Alice's phone to sign a key for the car key
    Then Alice's phone sent one final package for the car key
    When Bob's phone asks Alice's phone to sign another key for the car key
    Then Alice's phone sent one final package for the car key
    And Alice's phone tried to send the final package 1 time
    When Bob's phone answers Alice's phone that it provisioned the car key
    Then Alice's phone reports the share as completed

  @req=R-STATEFUL-1 @sender-only
  Scenario: Bob's phone says it provisioned before any final package: the share is not completed
    Given Bob's phone is played by the harness, bypassing his credential app
    When Alice shares a car key with Bob in the stateful flow
    And Bob's phone answers Alice's phone that it provisioned the car key
    Then Alice's phone reports the share as invited
    And Alice's phone sent no final package for the car key
    When Bob's phone asks Alice's phone to sign a key for the car key
    Then Alice's phone sent one final package for the car key
    When Bob's phone answers Alice's phone that it provisioned the car key
    Then Alice's phone reports the share as completed

  @req=R-ONCE-1 @sender-only
  Scenario Outline: Once Alice's phone reports the share <state>, a late <late> from Bob's phone changes nothing
    Given Bob's phone is played by the harness, bypassing his credential app
    When Alice shares a car key with Bob in the stateful flow
    And Bob's phone asks Alice's phone to sign a key for the car key
    And Bob's phone answers Alice's phone that it <answer>
    Then Alice's phone reports the share as <state>
    When 1 hour passes
    And Bob's phone <message>
    Then Alice's phone reports the share as <state>
    And Alice's phone tried to send the final package 1 time

    Examples: final states stay final
      | state     | answer                                      | late            | message                                                        |
      | completed | provisioned the car key                     | refusal         | answers Alice's phone that it refused the car key as expired   |
      | completed | provisioned the car key                     | signing request | asks Alice's phone to sign its key again                       |
      | failed    | refused the car key as bad-signature        | signing request | asks Alice's phone to sign its key again                       |
      | failed    | refused the car key as bad-signature        | decline         | answers Alice's phone that it declined the car key             |
      | declined  | declined the car key                        | signing request | asks Alice's phone to sign its key again                       |
      | declined  | declined the car key                        | refusal         | answers Alice's phone that it refused the car key as expired   |

  @req=R-STATEFUL-1 @req=R-IDENTITY-1 @sender-only
  Scenario: Bob's phone says it provisioned while Alice's final package waits for his new safety number: the share completes only after the package leaves
    Given Bob's phone is played by the harness, bypassing his credential app
    And Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    And Bob's phone asks Alice's phone to sign a key for the car key
    And Bob reinstalls Signal on his phone
    And Alice's phone comes back online
    And the network is quiet
    Then Alice's phone sent no final package for the car key
    When Bob's phone answers Alice's phone that it provisioned the car key
    Then Alice's phone never reported the share as completed
    When Alice confirms Bob's new safety number
    And the network is quiet
    Then Alice's phone sent one final package for the car key
    When Bob's phone answers Alice's phone that it provisioned the car key
    Then Alice's phone reports the share as completed

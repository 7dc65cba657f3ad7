Feature: Stateless provisioning
  A credential is shared in one message. Alice's phone sends Bob's phone an invitation carrying
  the provisioning information; Bob's phone provisions the credential once and tells Alice's phone
  how it went. Neither phone has to be online when the other is, and the server in between only
  ever carries ciphertext.

  Background:
    Given Alice and Bob have phones with the credential app, on Signal

  @req=R-STATELESS-1 @req=R-CONF-1 @req=R-FORMAT-1
  Scenario Outline: Bob's phone provisions a shared <credential> exactly once
    When Alice shares a <credential> with Bob
    Then Bob's phone provisions the <credential> exactly once
    And Bob's phone reports the share as provisioned
    And Alice's phone reports the share as completed
    And the server never saw the <credential> in the clear

    Examples:
      | credential          |
      | car key             |
      | authorization token |

  @req=R-STATELESS-1 @req=R-ONCE-1
  Scenario: Alice shares a car key with Bob and an authorization token with Carol at the same moment: each provisions theirs exactly once
    Given Carol has a phone with the credential app, on Signal
    When Alice shares a car key with Bob
    And Alice shares an authorization token with Carol
    Then Bob's phone provisions the car key exactly once
    And Carol's phone provisions the authorization token exactly once
    And Alice's phone reports the share as completed

  @req=R-CONNECT-1
  Scenario: Bob's phone is offline when the car key is shared, and provisions it once back online
    Given Bob's phone is offline
    When Alice shares a car key with Bob
    Then Bob's phone has provisioned nothing
    And Alice's phone reports the share as invited
    When 3 hours pass
    And Bob's phone comes back online
    Then Bob's phone provisions the car key exactly once
    And Alice's phone reports the share as completed

  @req=R-ONCE-1
  Scenario: The server delivers the invitation again after a lost acknowledgement, and it is provisioned once
    Given the server will lose the next acknowledgement from Bob's phone
    When Alice shares a car key with Bob
    And Bob's phone reconnects
    Then the server delivered the invitation to Bob's phone 2 times
    And Bob's phone provisions the car key exactly once
    And Alice's phone reports the share as completed

  @req=R-ONCE-1 @req=R-IDEM-1 @receiver-only
  Scenario: The same invitation sent twice is provisioned once
    When Alice's phone sends Bob the same car key invitation twice
    Then Bob's phone received the invitation 2 times
    And Bob's phone provisions the car key exactly once

  @req=R-ONCE-1 @receiver-only
  Scenario: An invitation resent with a new message id is provisioned once
    When Alice's phone sends Bob the car key invitation again with a new message id
    Then Bob's phone received the invitation 2 times
    And Bob's phone provisions the car key exactly once

  @req=R-STATEFUL-1 @sender-only
  Scenario: A signing request for a stateless share gets nothing signed, and the share still completes
    Given Bob's phone is played by the harness, bypassing his credential app
    When Alice shares a car key with Bob
    And Bob's phone asks Alice's phone to sign a key for the car key
    Then Alice's phone sent no final package for the car key
    And Alice's phone reports the share as invited
    When Bob's phone answers Alice's phone that it provisioned the car key
    Then Alice's phone reports the share as completed
    And Alice's phone sent no final package for the car key

  @req=R-EXPIRY-1
  Scenario Outline: An invitation whose expiration has passed is refused and reported as expired<which>
    Given Bob's phone is offline
    When Alice shares a car key with Bob in the <flow> flow, expiring in 24 hours
    And 25 hours pass
    And Bob's phone comes back online
    Then Bob's phone has provisioned nothing
    And Bob's phone refuses the car key as expired
    And Alice's phone reports the share as failed because it expired

    Examples:
      | flow      | which |
      | stateless |       |

    # Alice's phone is told before any final package: the refusal ends her share too.
    @stateful
    Examples: in the stateful flow
      | flow     | which                   |
      | stateful | , in the stateful flow  |

  @req=R-EXPIRY-1
  Scenario Outline: Bob's phone comes online <moment> the car key expires: it <outcome>
    Given Bob's phone is offline
    When Alice shares a car key with Bob that expires in 24 hours
    And time runs until <moment> the car key expires
    And Bob's phone comes back online
    Then Bob's phone <outcome>

    Examples: the edge of the expiration
      | moment               | outcome                             |
      | 1 millisecond before | provisions the car key exactly once |
      | the instant          | refuses the car key as expired      |
      | 5 minutes after      | refuses the car key as expired      |

  @req=R-EXPIRY-1
  Scenario: Bob's phone provisions the car key a minute before it expires and its answer reaches Alice's phone after: her share completes
    Given Bob's phone is offline
    When Alice shares a car key with Bob, expiring in 2 hours
    And time runs until 1 minute before the car key expires
    And Alice's phone goes offline for 1 hour
    And Bob's phone comes back online
    Then Bob's phone provisions the car key exactly once
    When 2 hours pass
    Then Alice's phone reports the share as completed

  @req=R-EXPIRY-1
  Scenario: An invitation still within its expiration is provisioned after a long wait
    Given Bob's phone is offline
    When Alice shares a car key with Bob that expires in 48 hours
    And 47 hours pass
    And Bob's phone comes back online
    Then Bob's phone provisions the car key exactly once
    And Alice's phone reports the share as completed

  @req=R-COMPAT-1 @receiver-only
  Scenario: Unknown fields in an invitation are tolerated
    When Alice's phone sends Bob a car key invitation with extra fields:
      | field                      | value              |
      | x-future-feature           | {"enabled": true}  |
      | notificationToken          | "opaque-token"     |
      | displayInformation.x-badge | "gold"             |
    Then Bob's phone provisions the car key exactly once

  @req=R-VALID-1 @receiver-only
  Scenario Outline: A malformed invitation (<defect>) is answered as malformed and nothing is provisioned
    When Alice's phone sends Bob a car key invitation <defect>
    Then Bob's phone has provisioned nothing
    And Bob's phone answers Alice that the invitation was malformed

    Examples:
      | defect                             |
      | without an expiration              |
      | with an expiration of "tomorrow"   |
      | without provisioning information   |
      | with flow "telepathic"             |
      | without a title                    |

  @req=R-CANCEL-1 @req=R-ONCE-1 @receiver-only
  Scenario: A cancel that arrives after Bob's phone provisioned changes nothing: the credential stays his
    When Alice shares a car key with Bob
    Then Bob's phone provisions the car key exactly once
    When Alice's phone sends Bob a cancel for the car key
    Then Bob's phone reports the share as provisioned
    And Bob's phone provisions the car key exactly once

  @req=R-VALID-1 @receiver-only
  Scenario: An invitation of a protocol version Bob's app does not know is refused as unsupported, and nothing is provisioned
    When Alice's phone sends Bob a car key invitation with protocol version "2"
    Then Bob's phone has provisioned nothing
    And Bob's phone answers Alice that the invitation was unsupported

  @req=R-VALID-1 @receiver-only
  Scenario: A malformed message that overtakes its invitation is ignored: the invitation still provisions
    When Alice's phone sends Bob a car key invitation, after a malformed cancel for it
    Then Bob's phone provisions the car key exactly once

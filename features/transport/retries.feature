Feature: Retries
  Sending can fail: the server is busy, rate-limits, the connection drops, or the answer is lost
  after the server took the message. The credential app tries again, politely and within a
  budget, and the receiving phone provisions exactly once whatever arrives twice. The protocol
  bounds the budget and the waits; each app picks its own numbers within them.

  Background:
    Given Alice and Bob have phones with the credential app, on Signal

  @req=R-RETRY-1 @req=R-ONCE-1
  Scenario Outline: The server answers 503 to the first <refusals> attempts, then would take the invitation: <outcome>
    Given the server answers 503 to Alice's phone's next <refusals> messages
    When Alice shares a car key with Bob
    And the network is quiet
    Then Alice's phone tried to send the invitation <tries> times
    And Bob's phone <bob>
    And Alice's phone reports the share as <alice>

    Examples: the fewest attempts an app may give up after: every app tries a third time
      | refusals | outcome                | tries | bob                                 | alice     |
      | 2        | provisioned once       | 3     | provisions the car key exactly once | completed |

    @sender-only
    Examples: the most attempts an app may make: no app tries a 21st time
      | refusals | outcome                | tries                     | bob                     | alice                               |
      | 20       | the share fails        | at least 3 and at most 20 | has provisioned nothing | failed because it could not be sent |

  @req=R-RETRY-1
  Scenario: A 429 with Retry-After 30 is honoured: the next attempt comes no sooner
    Given the server answers 429 with Retry-After 30 to Alice's phone's next message
    When Alice shares a car key with Bob
    And the network is quiet
    Then Alice's phone waited at least 30 seconds after the 429 before trying again
    And Bob's phone provisions the car key exactly once

  @req=R-RETRY-1
  Scenario: The connection fails once: the invitation is sent again and provisioned once
    Given the connection fails for Alice's phone's next message
    When Alice shares a car key with Bob
    And the network is quiet
    Then Alice's phone tried to send the invitation 2 times
    And Bob's phone provisions the car key exactly once

  @req=R-RETRY-1 @req=R-ONCE-1 @sender-only
  Scenario: Alice shares two credentials while the server answers 503: each invitation is retried on its own, and each is provisioned once
    Given the server answers 503 to Alice's phone's next 3 messages
    When Alice shares a car key with Bob
    And Alice shares an authorization token with Bob
    And the network is quiet
    Then Bob's phone provisions the car key exactly once
    And Bob's phone provisions the authorization token exactly once

  @req=R-ONCE-1 @req=R-IDEM-1
  Scenario: The response is lost after the server took the invitation: Bob's phone gets it twice and provisions once
    # Bob's phone is away until the retry was due: an app may drop a retry that Bob's answer made moot.
    Given the server loses its response to Alice's phone's next message
    And Bob's phone goes offline for 10 minutes
    When Alice shares a car key with Bob
    And the network is quiet
    Then Bob's phone received the invitation 2 times
    And Bob's phone provisions the car key exactly once
    And Alice's phone reports the share as completed

  @stateful @req=R-ONCE-1 @req=R-IDEM-1
  Scenario: The response to a stateful invitation is lost, and Alice's phone sends it again after her final package left: provisioned once, and the share completes
    Given the server loses its response to Alice's phone's next message
    And Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    Then Bob's phone reports the share as key-requested
    When Bob's phone is offline
    And Alice's phone comes back online
    Then Alice's phone sent one final package for the car key
    # Alice's phone tries the invitation again (at most 5 minutes after the lost response) while Bob's phone is away.
    When 10 minutes pass
    And Bob's phone comes back online
    And the network is quiet
    Then Bob's phone received the invitation 2 times
    And Bob's phone provisions the car key exactly once
    And Alice's phone reports the share as completed

  @stateful @req=R-CANCEL-1 @req=R-RETRY-1
  Scenario: Alice cancels one of two shares while both final packages wait to be tried again: only the other is sent
    Given Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    And Alice shares an authorization token with Bob in the stateful flow
    Then Bob's phone reports the share as key-requested
    Given the server answers 503 to Alice's phone's next 2 messages
    When Alice's phone comes back online
    And Alice cancels the share
    # A conforming app tries again within 5 minutes; Bob's phone asks again no sooner than a minute, and the reference app only after an hour.
    And 10 minutes pass
    Then Bob's phone provisions the car key exactly once
    And Bob's phone has provisioned no authorization token
    And Alice's phone sent no final package for the authorization token
    And Bob's phone reports the share as cancelled

  @req=R-CANCEL-1 @req=R-RETRY-1 @sender-only
  Scenario: Alice cancels while the server refuses her invitation: it is never tried again, her cancel reaches Bob's phone, and nothing is provisioned
    Given the server answers 503 to Alice's phone's next message
    When Alice shares a car key with Bob
    And Alice cancels the share
    And 10 minutes pass
    Then Alice's phone tried to send the invitation 1 time
    And Bob's phone received the cancel 1 times
    And Bob's phone has provisioned nothing
    And Alice's phone reports the share as cancelled

  @req=R-ONCE-1
  Scenario: A lost acknowledgement: the server delivers the invitation again and it is provisioned once
    Given the server will lose the next acknowledgement from Bob's phone
    When Alice shares a car key with Bob
    And Bob's phone goes offline for 1 hour
    And 2 hours pass
    Then the server delivered the invitation to Bob's phone 2 times
    And Bob's phone provisions the car key exactly once

  @req=R-RETRY-1 @sender-only
  Scenario: The server is down beyond the retry budget: the share fails, and nothing is provisioned when it is back
    Given the server answers 503 to every message from Alice's phone for the next 2 hours
    When Alice shares a car key with Bob
    And the network is quiet
    Then Alice's phone reports the share as failed because it could not be sent
    And Alice's phone tried to send the invitation at least 3 and at most 20 times
    And Alice's phone waited between 500 milliseconds and 5 minutes before each new attempt
    When 3 hours pass
    Then Bob's phone has provisioned nothing

  @stateful @req=R-RETRY-1 @req=R-ONCE-1 @sender-only
  Scenario: The final package cannot be sent before the retry budget runs out: the share fails, and Bob's phone asking again later gets nothing
    Given Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    Then Bob's phone reports the share as key-requested
    # Longer than any conforming retry budget (at most 20 attempts, at most 5 minutes apart).
    When the server answers 503 to every message from Alice's phone for the next 2 hours
    And Alice's phone comes back online
    And 2 hours pass
    Then Alice's phone reports the share as failed because it could not be sent
    # Bob's phone keeps asking (R17) and the server takes Alice's messages again: she sends nothing more.
    When 5 hours pass
    Then Bob's phone has provisioned nothing
    And Alice's phone reports the share as failed because it could not be sent

  @stateful @req=R-RETRY-1 @req=R-IDEM-1 @req=R-ONCE-1
  Scenario: The final package is lost on delivery: Bob's phone asks again and gets the same package
    Given Alice's phone is offline
    When Alice shares a car key with Bob in the stateful flow
    Then Bob's phone reports the share as key-requested
    Given the network drops the next message to Bob's phone on delivery
    When Alice's phone comes back online
    Then Bob's phone has provisioned nothing
    When 2 hours pass
    Then Bob's phone sent its key signing request again between 1 minute and 2 hours after the first
    And Alice's phone sent the same final package for the car key again
    And Alice's phone sent one final package for the car key
    And Bob's phone provisions the car key exactly once
    And Alice's phone reports the share as completed

  @stateful @req=R-RETRY-1 @req=R-STATEFUL-1
  Scenario: Bob's phone asks again when its signing request goes unanswered
    Given the network drops the next message to Alice's phone on delivery
    When Alice shares a car key with Bob in the stateful flow
    Then Bob's phone reports the share as key-requested
    When 2 hours pass
    Then Bob's phone sent its key signing request again between 1 minute and 2 hours after the first
    And Bob's phone provisions the car key exactly once
    And Alice's phone reports the share as completed

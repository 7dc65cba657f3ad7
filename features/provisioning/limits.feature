Feature: Limits
  The protocol bounds what a share may carry: a credential up to the size the message schema
  allows goes through whole. Alice's phone sends it, the server carries it encrypted, and Bob's
  phone provisions exactly what she shared, byte for byte. A server may still refuse a message as
  too large by a limit of its own: no retry can shrink it, so the share fails at once.

  Background:
    Given Alice and Bob have phones with the credential app, on Signal

  @req=R-STATELESS-1 @req=R-VALID-1
  Scenario Outline: The largest car key the protocol allows is provisioned byte for byte, in the <flow> flow
    When Alice shares the largest car key the protocol allows with Bob in the <flow> flow
    Then Bob's phone provisions the car key exactly once
    And Alice's phone reports the share as completed
    And the server never saw the car key in the clear

    Examples:
      | flow      |
      | stateless |

    @stateful @req=R-STATEFUL-1
    Examples:
      | flow     |
      | stateful |

  @req=R-RETRY-1 @sender-only
  Scenario: The server refuses the invitation as too large: the share fails as not sent, after that one attempt
    Given the server refuses Alice's phone's next message as too large
    When Alice shares a car key with Bob
    And the network is quiet
    Then Alice's phone tried to send the invitation 1 time
    And Alice's phone reports the share as failed because it could not be sent
    And Bob's phone has provisioned nothing

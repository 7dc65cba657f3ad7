Feature: Limits
  The protocol bounds what a share may carry: a credential up to the size the message schema
  allows goes through whole. Alice's phone sends it, the server carries it encrypted, and Bob's
  phone provisions exactly what she shared, byte for byte.

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

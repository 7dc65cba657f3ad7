Feature: Accounts
  Both phones need Signal accounts. When the person Alice wants to share with is not on Signal,
  her phone must say so plainly and send nothing.

  @req=R-ACCOUNT-1 @sender-only
  Scenario: Bob is not on Signal: Alice's phone reports it and sends nothing
    Given Alice has a phone with the credential app, on Signal
    And Bob is not on Signal
    When Alice shares a car key with Bob
    Then Alice's phone reports the share as failed because Bob is not on Signal
    And nothing was sent

"""The editorial workflow, one module per concern: every state change of a root goes through
these services, which the admin, the commands, the API and the tests all call."""

"""The group's people: agencies, their users and roles, passwords, and sign-in sessions."""

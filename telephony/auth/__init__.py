"""Authentication and access control: users, roles, sessions, API tokens, CSRF, policy.

Import from the submodules (`telephony.auth.middleware`, `.policy`, `.users`, ...);
this package module stays empty (importing it loads nothing).
"""

"""Users, roles, departments, login sessions, API keys and the permission checks on every route."""

"""The platform's OpenAI-compatible gateway: authenticates API keys and routes requests to live workers."""

"""LLMore: a self-hosted, one-stop LLM platform (data → train → monitor → evaluate → deploy → interact)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("llmore")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"

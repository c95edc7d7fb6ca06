"""Task evaluation runs: the request, its checks, the job that generates and scores, and the stored results."""

"""The newsroom: sources watched, candidates drafted, drafts reviewed in chat."""

"""The booking platform's messages and topology: the only thing services share."""

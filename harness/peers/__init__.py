"""Scripted peers and helper programs that Exim tests talk to."""

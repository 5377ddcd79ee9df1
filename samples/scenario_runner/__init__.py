"""Scenario runner that makes Postfix support bundles with a real Postfix.

The outer process (``runner``) creates one network namespace per host and
starts ``host`` inside it, in a private mount and UTS namespace. That inner
process runs the DNS stub, the SMTP sinks, rsyslogd and Postfix, drives the
scenario, and writes the collected files and the ground truth for its host.
"""

"""Messages to trainees: nudge rules over progress (`lms nudges run`, and every 15 minutes
in `lms worker`), message texts per language, consent and opt-out, delivery-status hooks,
instructor messages to a cohort, sign-in by a code sent to a phone, and the nudges'
effect. Everything is sent through the outbox (`lms.outbox`); this package decides what
to send, to whom, when, in which language and on which channel.
"""

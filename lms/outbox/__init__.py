"""The outbox: everything that leaves the process (messages now; webhooks and learning
records later) is a row written in the transaction of the change that caused it, then
delivered after commit by the job queue (`queue`), never inside a request.

`services.queue_message` writes the row; `delivery.deliver_due` and `delivery.deliver_one`
claim rows atomically (so two workers never send one message twice), send them through
`senders`, and retry with back-off; `lms worker` runs the queue, `lms messages deliver`
delivers what is due and exits.
"""

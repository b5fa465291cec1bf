"""Webhooks per the Standard Webhooks specification, and xAPI learning records.

`models` holds subscriptions (`Webhook`) and the delivery log (`WebhookDelivery`);
`services` adds, lists and removes them and, subscribed to the domain events in
`lms.subscriptions`, writes one outbox row per delivery (channel `webhook`); `sender`
signs and posts it when the queue delivers it, and disables a webhook after repeated
failures. `xapi` turns the same events into xAPI 1.0.3 statements for the LRS named by
`LMS_XAPI_ENDPOINT`, also through the outbox (channel `xapi`).
"""

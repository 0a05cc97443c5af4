from newretail.kernel.errors import InvalidInput, NotFound


class WebhookNotFound(NotFound):
    code = "webhook_not_found"
    default_detail = "Webhook endpoint not found."


class DeliveryNotFound(NotFound):
    code = "webhook_delivery_not_found"
    default_detail = "Webhook delivery not found."


class InvalidWebhookUrl(InvalidInput):
    code = "invalid_webhook_url"
    default_detail = "The webhook URL must be an absolute http or https URL."

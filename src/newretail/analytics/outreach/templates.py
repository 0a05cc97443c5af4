"""The notifier template a send to an audience uses when the sender names none."""

from newretail.notify import service as notify_service

AUDIENCE_OFFER = "analytics.audience_offer"

notify_service.register_template(
    AUDIENCE_OFFER,
    zh=("专属礼遇", "我们为您准备了一份专属优惠，欢迎查看。"),
    en=("An offer for you", "We have kept an offer for you: take a look."),
)

import base64
import hashlib
import hmac
from urllib.parse import unquote_plus

from newretail.notify.channels import dingtalk, sms


def test_a_dingtalk_robot_signs_the_timestamp_and_secret_with_hmac_sha256() -> None:
    signed = dingtalk.robot_sign("SECabc", 1_700_000_000_000)
    digest = hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest()
    assert unquote_plus(signed) == base64.b64encode(digest).decode()


def test_the_alibaba_cloud_signature_covers_the_sorted_percent_encoded_query() -> None:
    params = {"b": "2 3", "a": "x/y", "Action": "SendSms"}
    canonical = "Action=SendSms&a=x%2Fy&b=2%203"
    to_sign = "GET&%2F&" + canonical.replace("%", "%25").replace("&", "%26").replace("=", "%3D")
    digest = hmac.new(b"key&", to_sign.encode(), hashlib.sha1).digest()
    assert sms.aliyun_signature("key", params) == base64.b64encode(digest).decode()


def test_the_alibaba_cloud_signature_changes_with_any_parameter() -> None:
    one = sms.aliyun_signature("key", {"PhoneNumbers": "13900000001"})
    other = sms.aliyun_signature("key", {"PhoneNumbers": "13900000002"})
    assert one != other

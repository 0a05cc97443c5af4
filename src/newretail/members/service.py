"""The members domain's use cases, for routers, the CLI and other domains (import only this).

    otp.py          one-time login codes: senders, sending (rate-limited), checking
    identity.py     consumers and identifiers: sign-in, linking, identify, staff lookup
    seen.py         identities seen together in collected events, linked in bulk by the same
                    rules; who an anonymous id or consumer is now, for analytics, and which
                    are members' who refuse it
    merges.py       merging consumer records by rule, the merge log, undo
    memberships.py  the member programme (tiers, points expiry), joining, reading, consents
    enrolment.py    joining with a binding: consumer join, staff registration, touchpoint scans
    points.py       the points ledger, tiers after each change, the expiry job
    redemption.py   points that pay part of an order: what may be used, spent with the
                    order, given back on its cancellation or refund
    binding.py      binding policy, attempts under it, manual binding, history
    rebind.py       moving all of a guide's members at once
    roster.py       finding members: search, filters, most recently active first
    access.py       who sees which members; views.py: API views with masked phones
    buyers.py       the buyer of a sale (consumer, membership, binding) in one read
    addresses.py    a consumer's address book with each brand, one default

Pure rules live in ``rules.py`` (merges, tiers, points, phone display), ``binding_rules.py``
(``decide_binding``) and ``phones.py`` (E.164, masking).

Worker job: ``expire_points_job(database, settings)``.
"""

from newretail.members.access import (
    get_brand_member,
    get_member,
    live_consumer_id,
    sees_full_phone,
)
from newretail.members.addresses import (
    MAX_ADDRESSES,
    add_address,
    change_address,
    delete_address,
    get_address,
    list_addresses,
    make_default,
)
from newretail.members.binding import (
    BindingOutcome,
    apply_attempt,
    bind_manually,
    binding_history,
    check_guide,
    current_binding,
    get_policy,
    outcome_read,
    policy_of,
    put_policy,
)
from newretail.members.binding_rules import Action, BindingMode, BindingSource
from newretail.members.buyers import (
    StampedBuyer,
    buyer_of,
    stamped_buyer,
    stamped_buyer_of,
    stamped_buyer_statement,
)
from newretail.members.cards import MyMembership, my_membership
from newretail.members.enrolment import JoinResult, bind_by_touchpoint, join
from newretail.members.identity import (
    add_identifier,
    consumer_for_phone,
    identify,
    link_identifier,
    lookup,
    me,
    sign_in,
)
from newretail.members.memberships import (
    brand_memberships,
    ensure_membership,
    find_membership,
    get_programme,
    list_guide_members,
    list_members,
    member_by_number,
    programme_of,
    put_programme,
    read_member,
    update_consents,
)
from newretail.members.merges import (
    get_merge,
    list_merges,
    merge_consumers,
    refused_merges,
    undo_merge,
)
from newretail.members.otp import (
    LogOtpSender,
    MemoryOtpSender,
    OtpSender,
    SandboxOtpSender,
    check_otp,
    send_code,
    verify_code,
)
from newretail.members.points import (
    entry_by_reference,
    expire_points,
    expire_points_job,
    ledger,
    post,
    post_entry,
)
from newretail.members.rebind import rebind_guide_members
from newretail.members.redemption import Redeemable, redeemable, spend_on_order
from newretail.members.roster import (
    RosterRow,
    consumer_names,
    count_members,
    guide_loads,
    member_name,
    search_members,
    set_consumer_name,
)
from newretail.members.rules import IdentifierKind, JoinChannel, PointsKind
from newretail.members.seen import (
    MemberFacts,
    anonymous_ids_of,
    held_by_refusers,
    link_seen,
    member_facts,
    persons_of_anonymous_ids,
    persons_of_consumers,
    refusers_identified,
    touched_consumers,
)
from newretail.members.views import member_view, member_views

__all__ = [
    "MAX_ADDRESSES",
    "Action",
    "BindingMode",
    "BindingOutcome",
    "BindingSource",
    "IdentifierKind",
    "JoinChannel",
    "JoinResult",
    "LogOtpSender",
    "MemberFacts",
    "MemoryOtpSender",
    "MyMembership",
    "OtpSender",
    "PointsKind",
    "Redeemable",
    "RosterRow",
    "SandboxOtpSender",
    "StampedBuyer",
    "add_address",
    "add_identifier",
    "anonymous_ids_of",
    "apply_attempt",
    "bind_by_touchpoint",
    "bind_manually",
    "binding_history",
    "brand_memberships",
    "buyer_of",
    "change_address",
    "check_guide",
    "check_otp",
    "consumer_for_phone",
    "consumer_names",
    "count_members",
    "current_binding",
    "delete_address",
    "ensure_membership",
    "entry_by_reference",
    "expire_points",
    "expire_points_job",
    "find_membership",
    "get_address",
    "get_brand_member",
    "get_member",
    "get_merge",
    "get_policy",
    "get_programme",
    "guide_loads",
    "held_by_refusers",
    "identify",
    "join",
    "ledger",
    "link_identifier",
    "link_seen",
    "list_addresses",
    "list_guide_members",
    "list_members",
    "list_merges",
    "live_consumer_id",
    "lookup",
    "make_default",
    "me",
    "member_by_number",
    "member_facts",
    "member_name",
    "member_view",
    "member_views",
    "merge_consumers",
    "my_membership",
    "outcome_read",
    "persons_of_anonymous_ids",
    "persons_of_consumers",
    "policy_of",
    "post",
    "post_entry",
    "programme_of",
    "put_policy",
    "put_programme",
    "read_member",
    "rebind_guide_members",
    "redeemable",
    "refused_merges",
    "refusers_identified",
    "search_members",
    "sees_full_phone",
    "send_code",
    "set_consumer_name",
    "sign_in",
    "spend_on_order",
    "stamped_buyer",
    "stamped_buyer_of",
    "stamped_buyer_statement",
    "touched_consumers",
    "undo_merge",
    "update_consents",
    "verify_code",
]

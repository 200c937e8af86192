"""The access matrix's table: who may do what on every URL pattern, one letter per role, for
GET and for an empty POST (tests/security/test_access_matrix.py requests them all).
"""

from dataclasses import dataclass

from .access_scenario import ROLES

# --- The vocabulary ---------------------------------------------------------------------------
#
# O  200: the page, file or feed
# R  302 to something that is not a sign-in page (the view moved the person on: allowed)
# L  302 to a sign-in page (/accounts/login/ or /admin/login/)
# B  400: an empty POST refused by the form, after the permission check
# D  403: refused
# H  404: hidden (the object is not among those this person may see)
# N  405: the view does not take this method (reached only after the permission check)
# E  204: done, with no page to show (the idle warning's "Stay signed in")
#
# Any 5xx is a failure whatever the table says.

LABELS = {
    "O": "200 OK",
    "R": "302 to content",
    "L": "302 to sign-in",
    "B": "400 bad request",
    "D": "403 denied",
    "H": "404 hidden",
    "N": "405 not allowed",
    "E": "204 no content",
}
STATUS_LETTERS = {200: "O", 204: "E", 400: "B", 403: "D", 404: "H", 405: "N"}


@dataclass(frozen=True)
class Row:
    get: tuple[str, ...]
    post: tuple[str, ...] | None


def row(get: str, post: str | None = None) -> Row:
    """row("L O H …", "L R H …"): one letter per role in ROLES' order, for GET and for POST.
    No POST column means the view does not take POST (checked against the view)."""
    parsed = Row(tuple(get.split()), tuple(post.split()) if post is not None else None)
    for column in filter(None, (parsed.get, parsed.post)):
        assert len(column) == len(ROLES) and set(column) <= set(LABELS), (get, post)
    return parsed


# --- The table of the portal's own pages --------------------------------------------------------
#
# A key is the URL name (namespace:name), or the route for an unnamed pattern. "name [variant]"
# requests the same pattern for a second object, where who may use it depends on the object.
#
# The columns, in ROLES' order: anonymous, provider A, provider B, panel member, conflicted panel
# member, OPCC staff, Chief Executive, PCC.
SITE = {
    # Site pages and signing in.
    "home": row("O O O O O O O O"),
    "healthz": row("O O O O O O O O", "O O O O O O O O"),
    "service-status": row("O O O O O O O O", "N N N N N N N N"),
    # Prometheus's scrape: with no METRICS_TOKEN (as here) the page does not exist for anyone;
    # with one, a bearer token is asked of everyone (tests/svd_portal/test_metrics.py).
    "metrics": row("H H H H H H H H", "H H H H H H H H"),
    "accessibility": row("O O O O O O O O"),
    # The audit trail: OPCC staff alone.
    "audit-trail": row("L D D D D O D D"),
    "audit-trail-export": row("L D D D D O D D"),
    # The retention schedule's dry run and its CSV: OPCC staff alone.
    "retention": row("L D D D D O D D"),
    "retention-export": row("L D D D D O D D"),
    "login": row("O R R R R R R R", "O R R R R R R R"),
    "logout": row("N N N N N N N N", "R R R R R R R R"),
    "password_reset": row("O O O O O O O O", "O O O O O O O O"),
    "password_reset_done": row("O O O O O O O O"),
    # A valid link for provider A: the token is the credential, whoever follows it.
    "password_reset_confirm": row("R R R R R R R R", "R R R R R R R R"),
    "password_reset_complete": row("O O O O O O O O"),
    # People and organisations.
    # A person's own account and second factor. Providers have no app (not required of
    # them); everyone else gave theirs at sign-in, a minute ago.
    "partners:account": row("L O O O O O O O"),
    "partners:two-factor": row("L R R R R R R R", "L R R O O O O O"),
    "partners:two-factor-setup": row("L O O O O O O O", "L O O O O O O O"),
    "partners:two-factor-recovery-codes": row("L R R R R R R R", "L R R R R R R R"),
    "partners:sessions-end-others": row("L N N N N N N N", "L R R R R R R R"),
    "partners:session-keep-alive": row("L N N N N N N N", "L E E E E E E E"),
    "partners:signed-out": row("O O O O O O O O"),
    # Subject access: a person's own data; anyone's for OPCC staff.
    "partners:account-data": row("L O O O O O O O"),
    # Anyone signed in reads it (staff-side roles are told why they cannot close their
    # own); an empty POST is refused by the form.
    "partners:account-close": row("L O O O O O O O", "L B B B B B B B"),
    "partners:account-closed": row("O O O O O O O O"),
    "partners:person-data": row("L D D D D O D D"),
    "partners:signup": row("O R R R R R R R", "O R R R R R R R"),
    "partners:signup-sent": row("O O O O O O O O"),
    # A sign-up link for provider A, whose account is already active: used up, so refused.
    "partners:signup-confirm": row("O R R R R R R R", "B R R R R R R R"),
    "partners:organisations-mine": row("L O O O O O O O"),
    "partners:organisation-register": row("L O O O O O O O", "L O O O O O O O"),
    "partners:organisation-join": row("L O O O O O O O", "L O O O O O O O"),
    "partners:organisations": row("L D D D D O D D"),
    "partners:organisation-detail": row("L D D D D O D D"),
    "partners:organisation-verify": row("L D D D D N D D", "L D D D D B D D"),
    # Provider B's own request to join provider A's organisation.
    "partners:membership-decide": row("L D D D D N D D", "L D D D D R D D"),
    "partners:membership-signatory": row("L D D D D N D D", "L D D D D R D D"),
    # Funding rounds, in public.
    "grants:rounds": row("O O O O O O O O"),
    "grants:round-detail": row("O O O O O O O O"),
    "grants:application-start": row("L O O O O O O O", "L O O O O O O O"),
    # Applications: provider A's, submitted (no longer editable), unless "[draft]": provider
    # B's draft. Only the applicant and OPCC staff see one; only the applicant edits a portal
    # draft, and staff are sent back to the read-only page.
    "grants:applications-mine": row("L O O O O O O O"),
    "grants:application-detail": row("L O H H H O H H"),
    "grants:application-budget": row("L O H H H O H H", "L R H H H R H H"),
    "grants:application-budget [draft]": row("L H O H H O H H", "L H O H H R H H"),
    "grants:application-budget-remove": row("L R H H H R H H", "L R H H H R H H"),
    "grants:application-budget-remove [draft]": row("L H N H H R H H", "L H R H H R H H"),
    "grants:application-budget-remove [other's line]": row("L H N H H R H H", "L H H H H R H H"),
    "grants:application-attachments": row("L O H H H O H H", "L R H H H R H H"),
    "grants:application-attachments [draft]": row("L H O H H O H H", "L H O H H R H H"),
    "grants:application-attachment": row("L O H H H O H H"),
    "grants:application-attachment [draft]": row("L H O H H O H H"),
    # Provider B's file asked for under provider A's reference, and the other way round: the
    # file must belong to the application in the address.
    "grants:application-attachment [other's file]": row("L H H H H H H H"),
    "grants:application-attachment-remove": row("L R H H H R H H", "L R H H H R H H"),
    "grants:application-attachment-remove [draft]": row("L H N H H R H H", "L H R H H R H H"),
    "grants:application-attachment-remove [other's file]": row(
        "L H N H H R H H", "L H H H H R H H"
    ),
    "grants:application-submit": row("L R H H H R H H", "L R H H H R H H"),
    "grants:application-submit [draft]": row("L H O H H R H H", "L H B H H R H H"),
    "grants:application-receipt": row("L O H H H O H H"),
    # Only the applicant withdraws; staff may read the application but not withdraw it.
    "grants:application-withdraw": row("L O H H H D H H", "L R H H H D H H"),
    "grants:application-section": row("L R H H H R H H", "L R H H H R H H"),
    "grants:application-section [draft]": row("L H O H H R H H", "L H O H H R H H"),
    # The money after the signature: A's award; staff keep the streams and run the awards,
    # the Chief Executive and the PCC may read them; the holder reads their own award but
    # may not withdraw it (told no rather than not found, as they may see it).
    "grants:awards-mine": row("L O O O O O O O"),
    # An award's page is its holder's and the OPCC's; for everyone else it is the grants
    # register's page of it, and A's award (offered) is not on the register yet.
    "grants:award-detail": row("H O H H H O O O"),
    "grants:award-register": row("L D H H H O D D", "L D H H H O D D"),
    # Variations: the holder or staff propose; staff decide (the PCC on a decision record
    # that staff draft); who proposed it, or staff, withdraw it. The OPCC reads them.
    "grants:variation-create": row("L O H H H O D D", "L O H H H O D D"),
    "grants:variation": row("L O H H H O O O"),
    "grants:variation-decide": row("L D H H H N D D", "L D H H H B D D"),
    "grants:variation-withdraw": row("L N H H H N D D", "L R H H H R D D"),
    "grants:award-reallocate": row("L D H H H O D D", "L D H H H O D D"),
    "decisions:staff-from-variation": row("L D D D D N D D", "L D D D D R D D"),
    "grants:award-withdraw": row("L D H H H N D D", "L D H H H B D D"),
    # Before the offer: A's members (and staff) enter its bank details, which the Chief
    # Executive and the PCC may read but not change; staff verify them, record due
    # diligence and offer; the evidence is for those who read the money; only A's
    # authorised signatory (provider A here) answers the agreement everyone on A's side
    # and the OPCC may read.
    "grants:award-bank-details": row("L O H H H O D D", "L O H H H O D D"),
    "grants:award-bank-verify": row("L D H H H N D D", "L D H H H R D D"),
    "grants:award-diligence": row("L D H H H O D D", "L D H H H O D D"),
    "grants:award-diligence-file": row("L D H H H O O O"),
    "grants:award-offer": row("L D H H H N D D", "L D H H H R D D"),
    "grants:agreement": row("L O H H H O O O"),
    "grants:agreement-accept": row("L N H H H D D D", "L B H H H D D D"),
    "grants:agreement-return": row("L N H H H D D D", "L B H H H D D D"),
    "grants:agreement-pdf": row("L O H H H O O O"),
    # Delivery: staff set the plan; A's members fill in A's returns (the award is offered,
    # not yet active: the form sends them back to the return's page, and a post is refused
    # on the page); staff accept or return them; staff raise, approve and mark payments paid
    # (the scenario's payment is not due: refused with a message on the award's page).
    "grants:award-plan": row("L D H H H O D D", "L D H H H O D D"),
    "grants:return": row("L O H H H O O O"),
    "grants:return-edit": row("L R H H H D D D", "L O H H H D D D"),
    "grants:return-accept": row("L D H H H N D D", "L D H H H B D D"),
    "grants:return-send-back": row("L D H H H N D D", "L D H H H B D D"),
    # A's members upload and remove a return's documents (refused on the page, or with a
    # message, while the award is not active); whoever reads the return downloads them.
    "grants:return-attachments": row("L N H H H D D D", "L B H H H D D D"),
    "grants:return-attachment": row("L O H H H O O O"),
    "grants:return-attachment-remove": row("L N H H H D D D", "L R H H H D D D"),
    "grants:payment-raise": row("L D H H H N D D", "L D H H H R D D"),
    "grants:payment-approve": row("L D H H H N D D", "L D H H H R D D"),
    "grants:payment-paid": row("L D H H H N D D", "L D H H H R D D"),
    "grants:award-claw-back": row("L D H H H O D D", "L D H H H O D D"),
    "grants:award-close": row("L D H H H O D D", "L D H H H O D D"),
    "grants:staff-returns": row("L D D D D O O O"),
    "grants:staff-payments": row("L D D D D O O O"),
    "grants:staff-payments-export": row("L D D D D O D D"),
    "grants:staff-agreement-templates": row("L D D D D O D D"),
    "grants:staff-agreement-template-create": row("L D D D D O D D", "L D D D D O D D"),
    "grants:staff-agreement-template": row("L D D D D O D D", "L D D D D O D D"),
    "grants:staff-streams": row("L D D D D O O O"),
    "grants:staff-stream-create": row("L D D D D O D D", "L D D D D O D D"),
    "grants:staff-stream": row("L D D D D O O O"),
    "grants:staff-stream-edit": row("L D D D D O D D", "L D D D D O D D"),
    "grants:staff-stream-allocation": row("L D D D D N D D", "L D D D D B D D"),
    "grants:staff-awards": row("L D D D D O O O"),
    "grants:staff-awards-export": row("L D D D D O O O"),
    "grants:staff-awards-export [xlsx]": row("L D D D D O O O"),
    "grants:staff-dashboard": row("L D D D D O O O"),
    "grants:staff-dashboard-export": row("L D D D D O O O"),
    "grants:staff-dashboard-export [delivery]": row("L D D D D O O O"),
    "grants:staff-dashboard-export [returns]": row("L D D D D O O O"),
    # OPCC staff's round and application pages.
    "grants:staff-rounds": row("L D D D D O D D"),
    "grants:staff-round-create": row("L D D D D O D D", "L D D D D O D D"),
    "grants:staff-round-applications": row("L D D D D O D D"),
    "grants:staff-round-edit": row("L D D D D O D D", "L D D D D O D D"),
    "grants:staff-round-move": row("L D D D D N D D", "L D D D D R D D"),
    # The scenario's round is in assessment: staff are sent back to it (only an open round
    # closes).
    "grants:staff-round-close": row("L D D D D R D D", "L D D D D R D D"),
    "grants:staff-round-log-bid": row("L D D D D O D D", "L D D D D O D D"),
    "grants:staff-round-export": row("L D D D D O D D"),
    "grants:staff-round-export [xlsx]": row("L D D D D O D D"),
    "grants:staff-application-detail": row("L D D D D O D D"),
    "grants:staff-application-eligibility": row("L D D D D N D D", "L D D D D B D D"),
    "grants:staff-application-invite": row("L D D D D N D D", "L D D D D R D D"),
    # Scoring panels. Set-up is staff's; the member's pages are the round's members'; the
    # ranking, report and moderation are staff's and the chair's (not a column here); only the
    # chair reopens a scorecard. The application is A's: the panel member has declared no
    # interest and scored it, the conflicted member declared a conflict and must not reach it.
    "grants:panel-setup": row("L D D D D O D D", "L D D D D O D D"),
    "grants:panel-assign": row("L D D D D O D D", "L D D D D R D D"),
    "grants:panels-mine": row("L O O O O O O O"),
    "grants:panel-round": row("L D D O O D D D"),
    "grants:panel-ranking": row("L D D D D O D D"),
    "grants:panel-report": row("L D D D D O D D"),
    "grants:panel-report-export": row("L D D D D O D D"),
    "grants:panel-report-export [xlsx]": row("L D D D D O D D"),
    "grants:panel-scorecard-reopen": row("L D D D D D D D", "L D D D D D D D"),
    "grants:panel-declare": row("L D D R H D D D", "L D D R H D D D"),
    "grants:panel-score": row("L D D O H D D D", "L D D O H D D D"),
    # Provider B's draft is not for scoring.
    "grants:panel-score [draft]": row("L D D H H D D D", "L D D H H D D D"),
    "grants:panel-attachment": row("L D D O H D D D"),
    # Provider B's file asked for under the reference of the application being scored.
    "grants:panel-attachment [other's file]": row("L D D H H D D D"),
    "grants:panel-moderate": row("L D D D D O D D", "L D D D D O D D"),
    # The public register. Unless "[published]", the record is signed with publication
    # deferred: only the OPCC (staff, Chief Executive, PCC) see it before it is published.
    "decisions:register": row("O O O O O O O O"),
    # The grants register and its open data: public.
    "grants:register": row("O O O O O O O O"),
    "grants:register-feed": row("O O O O O O O O", "O O O O O O O O"),
    "grants:register-export": row("O O O O O O O O"),
    "grants:register-month": row("O O O O O O O O"),
    "grants:open-data": row("O O O O O O O O"),
    "grants:open-data [csv]": row("O O O O O O O O"),
    "grants:register-spending": row("O O O O O O O O"),
    "grants:register-spending-export": row("O O O O O O O O"),
    "grants:register-spending-export [agreements]": row("O O O O O O O O"),
    "decisions:feed": row("O O O O O O O O", "O O O O O O O O"),
    "decisions:detail": row("H H H H H O O O"),
    "decisions:detail [published]": row("O O O O O O O O"),
    "decisions:pdf": row("H H H H H O O O"),
    "decisions:pdf [published]": row("O O O O O O O O"),
    # Section B not flagged for publication: on a published record, and on the unpublished one.
    "decisions:section-b": row("H H H H H O O O"),
    "decisions:section-b [withheld]": row("H H H H H O O O"),
    # The redacted copy is for publication: anyone's once the record is published, only the
    # OPCC's before then.
    "decisions:section-b-redacted": row("O O O O O O O O"),
    "decisions:section-b-redacted [withheld]": row("H H H H H O O O"),
    # The OPCC's decision pages: each record is in the state where its action is possible.
    # Staff draft, submit and correct; the Chief Executive approves; the PCC signs.
    "decisions:staff-list": row("L D D D D O O O"),
    "decisions:staff-create": row("L D D D D O D D", "L D D D D O D D"),
    "decisions:staff-from-round": row("L D D D D O D D", "L D D D D O D D"),
    "decisions:staff-detail": row("L D D D D O O O"),
    "decisions:staff-edit": row("L D D D D O D D", "L D D D D O D D"),
    "decisions:staff-submit": row("L D D D D N D D", "L D D D D R D D"),
    "decisions:staff-approve": row("L D D D D D N D", "L D D D D D B D"),
    "decisions:staff-return": row("L D D D D D N D", "L D D D D D B D"),
    "decisions:staff-return [awaiting signature]": row("L D D D D D D N", "L D D D D D D B"),
    "decisions:staff-sign": row("L D D D D D D N", "L D D D D D D B"),
    "decisions:staff-correct": row("L D D D D N D D", "L D D D D R D D"),
    "decisions:staff-documents": row("L D D D D O O O"),
    "decisions:staff-document-regenerate": row("L D D D D N D D", "L D D D D R D D"),
    "decisions:staff-document": row("L D D D D O O O"),
    # Version 1 is ready, so a retry is refused with a message on the record's page.
    "decisions:staff-document-retry": row("L D D D D N D D", "L D D D D R D D"),
    "decisions:staff-section-b": row("L D D D D O O O"),
    "decisions:staff-section-b-redacted": row("L D D D D O O O"),
    # The public API: read-only and the same for everyone (no session is read), so nothing
    # unpublished for anyone, staff and the PCC included. A list or an item takes no other
    # method (405); the root, the OpenAPI document and its docs page take only GET.
    # "<name>.<format>" is the router's twin of a pattern with a format suffix (.json).
    "api:api-root": row("O O O O O O O O"),
    "api:api-root.<format>": row("O O O O O O O O"),
    "api:schema": row("O O O O O O O O"),
    "api:docs": row("O O O O O O O O"),
    # Any other address under the API: a 404 in JSON, whatever the method.
    "api:not-found": row("H H H H H H H H", "H H H H H H H H"),
    "api:decision-list": row("O O O O O O O O", "N N N N N N N N"),
    "api:decision-list.<format>": row("O O O O O O O O", "N N N N N N N N"),
    "api:decision-detail": row("O O O O O O O O", "N N N N N N N N"),
    "api:decision-detail.<format>": row("O O O O O O O O", "N N N N N N N N"),
    "api:decision-detail [awaiting approval]": row("H H H H H H H H", "N N N N N N N N"),
    "api:decision-detail [withheld]": row("H H H H H H H H", "N N N N N N N N"),
    "api:round-list": row("O O O O O O O O", "N N N N N N N N"),
    "api:round-list.<format>": row("O O O O O O O O", "N N N N N N N N"),
    "api:round-detail": row("O O O O O O O O", "N N N N N N N N"),
    "api:round-detail.<format>": row("O O O O O O O O", "N N N N N N N N"),
    "api:round-detail [draft]": row("H H H H H H H H", "N N N N N N N N"),
    "api:grant-list": row("O O O O O O O O", "N N N N N N N N"),
    "api:grant-list.<format>": row("O O O O O O O O", "N N N N N N N N"),
    "api:grant-detail": row("O O O O O O O O", "N N N N N N N N"),
    "api:grant-detail.<format>": row("O O O O O O O O", "N N N N N N N N"),
    "api:grant-detail [offered]": row("H H H H H H H H", "N N N N N N N N"),
    "api:grant-detail [decision not published]": row("H H H H H H H H", "N N N N N N N N"),
}

# --- The admin ----------------------------------------------------------------------------------
#
# The admin is open to OPCC staff (partners/rules.py "admin.access"), not to Django's is_staff
# flag; everyone else is sent to the admin's sign-in page. What staff may do there is decided
# per model below, for the object the model's pages are requested for. The rows are generated
# from these rules, which are stated here and not read from the code under test.

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ADMIN_MODELS = {
    # Roles are given on a person's own page; the groups themselves are superusers' business.
    "auth.group": frozenset(),
    # Sign-in throttling records: superusers only.
    "axes.accessattempt": frozenset(),
    "axes.accesslog": frozenset(),
    "axes.accessfailurelog": frozenset(),
    # The object is a superuser: staff may read the account but not change it (nor its
    # password); deleting a person loses history, so nobody but a superuser deletes.
    "partners.user": frozenset({VIEW, ADD}),
    "partners.organisation": frozenset({VIEW, ADD, CHANGE}),
    "partners.partnership": frozenset({VIEW, ADD, CHANGE, DELETE}),
    "partners.strategicpriority": frozenset({VIEW, ADD, CHANGE, DELETE}),
    "partners.successmeasure": frozenset({VIEW, ADD, CHANGE, DELETE}),
    "grants.evidencestrand": frozenset({VIEW, ADD, CHANGE}),
    # Rounds and applications change only through their workflows, on the portal's pages.
    "grants.fundinground": frozenset({VIEW}),
    "grants.application": frozenset({VIEW}),
    # Records are drafted, edited and moved on the portal's pages only: read only here.
    "decisions.decisionrecord": frozenset({VIEW}),
    # The field history: superusers read it; nobody adds, changes or deletes an entry.
    "auditlog.logentry": frozenset(),
}
# The same model's object pages again for a second object, where what staff may do differs.
ADMIN_OBJECT_VARIANTS = {
    # A draft record is read only too (never deleted).
    "decisions.decisionrecord [draft]": frozenset({VIEW}),
    # Staff manage providers' accounts...
    "partners.user [provider]": frozenset({VIEW, CHANGE}),
    # ...but not the PCC's (nor the Chief Executive's or other staff's): otherwise they could
    # set the PCC's password, or make themselves the PCC, and sign.
    "partners.user [pcc]": frozenset({VIEW}),
}
# What each kind of model page needs, for GET and for (an empty) POST.
ADMIN_VIEWS = {
    "changelist": ({VIEW, CHANGE}, {VIEW, CHANGE}),
    "add": ({ADD}, {ADD}),
    "change": ({VIEW, CHANGE}, {CHANGE}),
    "history": ({VIEW, CHANGE}, {VIEW, CHANGE}),
    "delete": ({DELETE}, {DELETE}),
}
STAFF = ROLES.index("staff")


def admin_row(staff_get: str, staff_post: str, others: str = "L") -> Row:
    get, post = [others] * len(ROLES), [others] * len(ROLES)
    get[STAFF], post[STAFF] = staff_get, staff_post
    return Row(tuple(get), tuple(post))


def admin_table() -> dict[str, Row]:
    table = {
        "admin:index": admin_row("O", "O"),
        # The sign-in form, for anyone; staff already signed in are sent on to the index.
        "admin:login": row("O O O O O R O O", "O O O O O O O O"),
        # Signing out is a POST; anyone else is sent to the index (and from there to sign in).
        "admin:logout": admin_row("N", "R", others="R"),
        "admin:password_change": admin_row("O", "O"),
        "admin:password_change_done": admin_row("O", "N"),
        # Searching people for a membership's user field: staff may read people.
        "admin:autocomplete": admin_row("O", "N"),
        "admin:jsi18n": admin_row("O", "N"),
        # To a published record's public page.
        "admin:view_on_site": admin_row("R", "R"),
        # The staff may not change a superuser's password (the object is the superuser).
        "admin:auth_user_password_change": admin_row("D", "D"),
        "admin:auth_user_password_change [pcc]": admin_row("D", "D"),
        "admin:auth_user_password_change [provider]": admin_row("O", "O"),
        # An unknown admin address.
        "admin/(?P<url>.*)$": admin_row("H", "H"),
    }
    apps = sorted({label.split(".")[0] for label in ADMIN_MODELS})
    for app in apps:
        # An app's index lists the models staff may use; with none, there is no page.
        visible = any(perms for label, perms in ADMIN_MODELS.items() if label.startswith(f"{app}."))
        letter = "O" if visible else "H"
        table[f"admin:app_list [{app}]"] = admin_row(letter, letter)
    for label, perms in ADMIN_MODELS.items():
        app, model = label.split(".")
        for kind, (get_needs, post_needs) in ADMIN_VIEWS.items():
            table[f"admin:{app}_{model}_{kind}"] = admin_row(
                "O" if perms & get_needs else "D", "O" if perms & post_needs else "D"
            )
        # The bare object address redirects to its change page for anyone in the admin.
        table[f"admin/{app}/{model}/<path:object_id>/"] = admin_row("R", "R")
    for variant, perms in ADMIN_OBJECT_VARIANTS.items():
        label, suffix = variant.split(" ", 1)
        app, model = label.split(".")
        for kind in ("change", "history", "delete"):
            get_needs, post_needs = ADMIN_VIEWS[kind]
            table[f"admin:{app}_{model}_{kind} {suffix}"] = admin_row(
                "O" if perms & get_needs else "D", "O" if perms & post_needs else "D"
            )
    return table


EXPECTED: dict[str, Row] = {**SITE, **admin_table()}

# Patterns deliberately not requested, with the reason. Nothing is left out at present: the
# checks below still make an exclusion explicit and make a stale one fail.
EXCLUDED: dict[str, str] = {}

"""The transition tables: every legal ``(state, event)`` of each role, as data.

:data:`CLIENT_TABLE` and :data:`SERVER_TABLE` list every legal ``(state, event)`` pair.
Where an RFC or a stack makes a choice, a pair has several rows with *guards* (named
predicates), tried in order.  A row says what to write (``emits``, each optionally
conditional), what to remember (``effects``), where to go, and the rule that makes it so.
Any received message without a row is illegal by construction: the connection answers
``unexpected_message`` (RFC 5246 §7.2.2, RFC 8446 §6.2) and becomes terminal.  The tables
are what the diagrams, the docs and the exhaustive tests walk; nothing here runs.
"""

from __future__ import annotations

from collections.abc import Sequence

from httpsys_sim.tls._config import Role
from httpsys_sim.tls._errors import HandshakeRefused, PeerAlert, RemoteProtocolError
from httpsys_sim.tls._rows import Cond, Effect, Emit, Event, Guard, Out, State, Transition

__all__ = ["CLIENT_TABLE", "SERVER_TABLE", "states_for", "table_for"]

_T = Transition
_E = Emit
S = State
EV = Event
G = Guard
O = Out  # noqa: E741 - reads as "Out" in the table
C = Cond
F = Effect

_SERVER_FLIGHT_13 = (
    _E(O.SERVER_HELLO),
    _E(O.CHANGE_CIPHER_SPEC, C.COMPAT_CCS),
    _E(O.ENCRYPTED_EXTENSIONS),
)
_SERVER_FLIGHT_13_TAIL = (_E(O.SERVER_CERTIFICATE), _E(O.CERTIFICATE_VERIFY), _E(O.FINISHED))
_SERVER_FLIGHT_12 = (_E(O.SERVER_HELLO), _E(O.SERVER_CERTIFICATE), _E(O.SERVER_KEY_EXCHANGE))


def _client_hello_rows(state: State, *, renegotiation: bool) -> tuple[Transition, ...]:
    """The server's answers to a ClientHello (initial, or starting a renegotiation)."""
    effects: tuple[Effect, ...] = (F.NEGOTIATE,)
    if renegotiation:
        effects = (F.BEGIN_RENEGOTIATION, F.NEGOTIATE)
    rows = [
        _T(
            state=state,
            event=EV.R_CLIENT_HELLO,
            guard=G.NO_COMMON_VERSION,
            emits=(_E(O.ALERT_PROTOCOL_VERSION),),
            effects=(F.FAIL,),
            next=S.CLOSED,
            error=HandshakeRefused,
            rule="R-PIPE-3",
        ),
    ]
    if not renegotiation:
        rows += [
            _T(
                state=state,
                event=EV.R_CLIENT_HELLO,
                guard=G.TLS13_CERT_REQUEST,
                emits=(*_SERVER_FLIGHT_13, _E(O.CERTIFICATE_REQUEST), *_SERVER_FLIGHT_13_TAIL),
                effects=(*effects, F.NEW_WRITE_KEYS),
                next=S.S13_WAIT_CERT,
                rule="RFC8446-2",
            ),
            _T(
                state=state,
                event=EV.R_CLIENT_HELLO,
                guard=G.TLS13,
                emits=(*_SERVER_FLIGHT_13, *_SERVER_FLIGHT_13_TAIL),
                effects=(*effects, F.NEW_WRITE_KEYS),
                next=S.S13_WAIT_FINISHED,
                rule="RFC8446-2",
            ),
        ]
    if renegotiation:
        # Only a renegotiation can resume here: the initial handshake has no session yet.
        rows.append(
            _T(
                state=state,
                event=EV.R_CLIENT_HELLO,
                guard=G.TLS12_RESUME,
                emits=(
                    _E(O.SERVER_HELLO),
                    _E(O.TICKET_12, C.TICKET_12_RESUMED),
                    _E(O.CHANGE_CIPHER_SPEC),
                    _E(O.FINISHED),
                ),
                effects=(*effects, F.NEW_WRITE_KEYS),
                next=S.S12_ABBR_WAIT_CCS,
                rule="RFC5246-7.3-abbreviated",
            )
        )
    rows += [
        _T(
            state=state,
            event=EV.R_CLIENT_HELLO,
            guard=G.TLS12_CERT_REQUEST,
            emits=(*_SERVER_FLIGHT_12, _E(O.CERTIFICATE_REQUEST), _E(O.SERVER_HELLO_DONE)),
            effects=effects,
            next=S.S12_WAIT_CERT,
            rule="RFC5246-7.4.4",
        ),
        _T(
            state=state,
            event=EV.R_CLIENT_HELLO,
            guard=G.TLS12,
            emits=(*_SERVER_FLIGHT_12, _E(O.SERVER_HELLO_DONE)),
            effects=effects,
            next=S.S12_WAIT_CKE,
            rule="RFC5246-7.3",
        ),
    ]
    return tuple(rows)


def _server_certificate_rows(
    state: State, *, tls13: bool, on_empty: State, on_cert: State, pha: bool
) -> tuple[Transition, ...]:
    """The server receiving the client's Certificate (handshake, renegotiation or PHA)."""
    missing = O.ALERT_CERTIFICATE_REQUIRED if tls13 else O.ALERT_HANDSHAKE_FAILURE
    rule = "RFC8446-4.4.2.4" if tls13 else "RFC5246-7.4.6"
    return (
        _T(
            state=state,
            event=EV.R_CERTIFICATE,
            guard=G.CERT_MISSING_FATAL,
            emits=(_E(missing),),
            effects=(F.RECORD_EMPTY_CERT, F.FAIL),
            next=S.CLOSED,
            error=HandshakeRefused,
            rule="P-OSSL-8",
        ),
        _T(
            state=state,
            event=EV.R_CERTIFICATE,
            guard=G.CERT_BAD_FATAL,
            emits=(_E(O.ALERT_BAD_CERTIFICATE),),
            effects=(F.RECORD_PEER_CERT, F.FAIL),
            next=S.CLOSED,
            error=HandshakeRefused,
            rule="P-OSSL-6",
        ),
        _T(
            state=state,
            event=EV.R_CERTIFICATE,
            guard=G.CERT_EMPTY,
            effects=(F.RECORD_EMPTY_CERT,),
            next=on_empty,
            rule="RFC8446-4.6.2" if pha else rule,
        ),
        _T(
            state=state,
            event=EV.R_CERTIFICATE,
            effects=(F.RECORD_PEER_CERT,),
            next=on_cert,
            rule="RFC8446-4.6.2" if pha else rule,
        ),
    )


def _ask_user_first(state: State) -> Transition:
    """Client: a CertificateRequest ends the connection, unanswered, when the client first asks
    its user (or a policy) which certificate to send (R-CLI-16); the caller repeats."""
    return _T(
        state=state,
        event=EV.R_CERTIFICATE_REQUEST,
        guard=G.ASKS_USER_FOR_CERTIFICATE,
        effects=(F.FAIL,),
        next=S.CLOSED,
        error=HandshakeRefused,
        rule="R-CLI-16",
    )


def _ignore_ccs_13(state: State) -> Transition:
    return _T(state=state, event=EV.R_CHANGE_CIPHER_SPEC, next=state, rule="RFC8446-D.4")


def _refused_renegotiation_rows(
    state: State, back_to: State, *, only_renegotiating: bool = False
) -> tuple[Transition, ...]:
    """The renegotiation we asked for was refused with a warning (R-TLS-1)."""
    return (
        _T(
            state=state,
            event=EV.R_ALERT_NO_RENEGOTIATION,
            guard=G.REFUSED_FATAL,
            emits=(_E(O.ALERT_HANDSHAKE_FAILURE),),
            effects=(F.FAIL,),
            next=S.CLOSED,
            error=HandshakeRefused,
            rule="P-OSSL-4",
        ),
        _T(
            state=state,
            event=EV.R_ALERT_NO_RENEGOTIATION,
            guard=G.REFUSED_ABORT,
            effects=(F.FAIL,),
            next=S.CLOSED,
            error=HandshakeRefused,
            rule="R-REQ-2.tls12-refused",
        ),
        _T(
            state=state,
            event=EV.R_ALERT_NO_RENEGOTIATION,
            guard=G.RENEGOTIATING if only_renegotiating else G.ALWAYS,
            next=back_to,
            rule="R-TLS-1",
        ),
    )


def _closing_rows(
    states: Sequence[State], *, renegotiation_waits: Sequence[State] = ()
) -> tuple[Transition, ...]:
    """Alerts and close() — legal in every live state.

    A stray ``no_renegotiation`` warning is handled as a refused renegotiation everywhere
    (OpenSSL does not check that it asked, P-OSSL-4); ``renegotiation_waits`` already
    have their own rows for it.
    """
    rows: list[Transition] = []
    for st in states:
        if st not in renegotiation_waits:
            rows += _refused_renegotiation_rows(st, st)
        rows += [
            _T(
                state=st,
                event=EV.R_ALERT_FATAL,
                effects=(F.FAIL,),
                next=S.CLOSED,
                error=PeerAlert,
                rule="RFC8446-6.2",
            ),
            _T(
                state=st,
                event=EV.R_ALERT_CLOSE_NOTIFY,
                effects=(F.CLOSE,),
                next=S.CLOSED,
                rule="RFC8446-6.1",
            ),
            _T(
                state=st,
                event=EV.CLOSE,
                emits=(_E(O.ALERT_CLOSE_NOTIFY),),
                effects=(F.CLOSE,),
                next=S.CLOSED,
                rule="RFC8446-6.1",
            ),
            _T(state=st, event=EV.R_ALERT_WARNING, next=st, rule="RFC5246-7.2.2"),
        ]
    return tuple(rows)


_SERVER_LIVE = (
    S.START,
    S.S12_RENEG_WAIT_CH,
    S.S12_WAIT_CERT,
    S.S12_WAIT_CKE,
    S.S12_WAIT_CKE_THEN_CV,
    S.S12_WAIT_CV,
    S.S12_WAIT_CCS,
    S.S12_WAIT_FINISHED,
    S.S12_ABBR_WAIT_CCS,
    S.S12_ABBR_WAIT_FINISHED,
    S.S12_CONNECTED,
    S.S13_WAIT_CERT,
    S.S13_WAIT_CV,
    S.S13_WAIT_FINISHED,
    S.S13_CONNECTED,
    S.S13_PHA_WAIT_CERT,
    S.S13_PHA_WAIT_CV,
    S.S13_PHA_WAIT_FINISHED,
)

#: Every legal (state, event) of the server, with guards in the order they are tried.
SERVER_TABLE: tuple[Transition, ...] = (
    *_client_hello_rows(S.START, renegotiation=False),
    # --- TLS ≤ 1.2 full handshake (RFC 5246 §7.3) -------------------------------------
    *_server_certificate_rows(
        S.S12_WAIT_CERT,
        tls13=False,
        on_empty=S.S12_WAIT_CKE,
        on_cert=S.S12_WAIT_CKE_THEN_CV,
        pha=False,
    ),
    _T(
        state=S.S12_WAIT_CKE,
        event=EV.R_CLIENT_KEY_EXCHANGE,
        next=S.S12_WAIT_CCS,
        rule="RFC5246-7.3",
    ),
    _T(
        state=S.S12_WAIT_CKE_THEN_CV,
        event=EV.R_CLIENT_KEY_EXCHANGE,
        next=S.S12_WAIT_CV,
        rule="RFC5246-7.3",
    ),
    _T(
        state=S.S12_WAIT_CV,
        event=EV.R_CERTIFICATE_VERIFY,
        effects=(F.CERT_VERIFIED,),
        next=S.S12_WAIT_CCS,
        rule="RFC5246-7.4.8",
    ),
    _T(
        state=S.S12_WAIT_CCS,
        event=EV.R_CHANGE_CIPHER_SPEC,
        next=S.S12_WAIT_FINISHED,
        rule="RFC5246-7.3",
    ),
    _T(
        state=S.S12_WAIT_FINISHED,
        event=EV.R_FINISHED,
        emits=(_E(O.TICKET_12, C.TICKET_12), _E(O.CHANGE_CIPHER_SPEC), _E(O.FINISHED)),
        effects=(F.HANDSHAKE_DONE, F.NEW_WRITE_KEYS),
        next=S.S12_CONNECTED,
        rule="RFC5246-7.4.9",
    ),
    # --- TLS ≤ 1.2 abbreviated handshake (resumption) -------------------------------
    _T(
        state=S.S12_ABBR_WAIT_CCS,
        event=EV.R_CHANGE_CIPHER_SPEC,
        next=S.S12_ABBR_WAIT_FINISHED,
        rule="RFC5246-7.3-abbreviated",
    ),
    _T(
        state=S.S12_ABBR_WAIT_FINISHED,
        event=EV.R_FINISHED,
        effects=(F.HANDSHAKE_DONE,),
        next=S.S12_CONNECTED,
        rule="RFC5246-7.3-abbreviated",
    ),
    # --- TLS ≤ 1.2 connected: renegotiation (RFC 5246 §7.4.1.1, RFC 5746) ------------
    _T(
        state=S.S12_CONNECTED,
        event=EV.RENEGOTIATE,
        guard=G.RENEGOTIATION_DISABLED,
        refuse="renegotiation is disabled on this server",
        next=S.S12_CONNECTED,
        rule="R-REQ-2.tls12-schannel-blocked",
    ),
    _T(
        state=S.S12_CONNECTED,
        event=EV.RENEGOTIATE,
        guard=G.PEER_NOT_SECURE_RENEGOTIATION,
        refuse="the client does not support secure renegotiation (RFC 5746)",
        next=S.S12_CONNECTED,
        rule="RFC5746-3",
    ),
    _T(
        state=S.S12_CONNECTED,
        event=EV.RENEGOTIATE,
        emits=(_E(O.HELLO_REQUEST),),
        effects=(F.BEGIN_RENEGOTIATION,),
        next=S.S12_RENEG_WAIT_CH,
        rule="RFC5246-7.4.1.1",
    ),
    _T(
        state=S.S12_CONNECTED,
        event=EV.R_CLIENT_HELLO,
        guard=G.CLIENT_RENEGOTIATION_REFUSED,
        emits=(_E(O.ALERT_NO_RENEGOTIATION),),
        next=S.S12_CONNECTED,
        rule="P-OSSL-3",
    ),
    *_client_hello_rows(S.S12_CONNECTED, renegotiation=True),
    _T(
        state=S.S12_CONNECTED,
        event=EV.REQUEST_CERTIFICATE,
        refuse="post-handshake authentication needs TLS 1.3",
        next=S.S12_CONNECTED,
        rule="R-TLS-4",
    ),
    *_client_hello_rows(S.S12_RENEG_WAIT_CH, renegotiation=True),
    *_refused_renegotiation_rows(S.S12_RENEG_WAIT_CH, S.S12_CONNECTED),
    # --- TLS 1.3 full handshake (RFC 8446 §2) ----------------------------------------
    _ignore_ccs_13(S.S13_WAIT_CERT),
    _ignore_ccs_13(S.S13_WAIT_FINISHED),
    *_server_certificate_rows(
        S.S13_WAIT_CERT, tls13=True, on_empty=S.S13_WAIT_FINISHED, on_cert=S.S13_WAIT_CV, pha=False
    ),
    _T(
        state=S.S13_WAIT_CV,
        event=EV.R_CERTIFICATE_VERIFY,
        effects=(F.CERT_VERIFIED,),
        next=S.S13_WAIT_FINISHED,
        rule="RFC8446-2",
    ),
    _T(
        state=S.S13_WAIT_FINISHED,
        event=EV.R_FINISHED,
        emits=(_E(O.TICKETS_13),),
        effects=(F.HANDSHAKE_DONE,),
        next=S.S13_CONNECTED,
        rule="RFC8446-4.6.1",
    ),
    # --- TLS 1.3 connected: post-handshake authentication (RFC 8446 §4.6.2) ---------
    _T(
        state=S.S13_CONNECTED,
        event=EV.REQUEST_CERTIFICATE,
        guard=G.PHA_UNSUPPORTED,
        refuse="this stack does not send post-handshake CertificateRequests",
        next=S.S13_CONNECTED,
        rule="P-SCH-2",
    ),
    _T(
        state=S.S13_CONNECTED,
        event=EV.REQUEST_CERTIFICATE,
        guard=G.PEER_DID_NOT_OFFER_PHA,
        refuse="the client did not offer post_handshake_auth",
        next=S.S13_CONNECTED,
        rule="P-OSSL-7",
    ),
    _T(
        state=S.S13_CONNECTED,
        event=EV.REQUEST_CERTIFICATE,
        emits=(_E(O.CERTIFICATE_REQUEST),),
        effects=(F.NEXT_PHA_CONTEXT,),
        next=S.S13_PHA_WAIT_CERT,
        rule="RFC8446-4.6.2",
    ),
    _T(
        state=S.S13_CONNECTED,
        event=EV.RENEGOTIATE,
        refuse="TLS 1.3 has no renegotiation",
        next=S.S13_CONNECTED,
        rule="R-TLS-4",
    ),
    _T(state=S.S13_CONNECTED, event=EV.R_KEY_UPDATE, next=S.S13_CONNECTED, rule="RFC8446-4.6.3"),
    *_server_certificate_rows(
        S.S13_PHA_WAIT_CERT,
        tls13=True,
        on_empty=S.S13_PHA_WAIT_FINISHED,
        on_cert=S.S13_PHA_WAIT_CV,
        pha=True,
    ),
    _T(
        state=S.S13_PHA_WAIT_CV,
        event=EV.R_CERTIFICATE_VERIFY,
        effects=(F.CERT_VERIFIED,),
        next=S.S13_PHA_WAIT_FINISHED,
        rule="RFC8446-4.6.2",
    ),
    _T(
        state=S.S13_PHA_WAIT_FINISHED,
        event=EV.R_FINISHED,
        emits=(_E(O.TICKETS_AFTER_PHA),),
        effects=(F.HANDSHAKE_DONE,),
        next=S.S13_CONNECTED,
        rule="RFC8446-4.6.2",
    ),
    *_closing_rows(_SERVER_LIVE, renegotiation_waits=(S.S12_RENEG_WAIT_CH,)),
)

_CLIENT_LIVE = (
    S.C_WAIT_SH,
    S.C12_WAIT_CERT,
    S.C12_WAIT_SKE,
    S.C12_WAIT_CR_OR_SHD,
    S.C12_WAIT_SHD,
    S.C12_WAIT_NST_OR_CCS,
    S.C12_WAIT_CCS,
    S.C12_WAIT_FINISHED,
    S.C12_ABBR_WAIT_NST_OR_CCS,
    S.C12_ABBR_WAIT_CCS,
    S.C12_ABBR_WAIT_FINISHED,
    S.C12_CONNECTED,
    S.C13_WAIT_EE,
    S.C13_WAIT_CERT_CR,
    S.C13_WAIT_CERT,
    S.C13_WAIT_CV,
    S.C13_WAIT_FINISHED,
    S.C13_CONNECTED,
)

_CLIENT_FLIGHT_12_END = (_E(O.CHANGE_CIPHER_SPEC), _E(O.FINISHED))

#: Every legal (state, event) of the client, with guards in the order they are tried.
CLIENT_TABLE: tuple[Transition, ...] = (
    _T(
        state=S.START,
        event=EV.START,
        guard=G.OFFERS_TLS13,
        emits=(_E(O.CLIENT_HELLO),),
        effects=(F.OFFER,),
        next=S.C_WAIT_SH,
        rule="RFC8446-4.1.1",
    ),
    _T(
        state=S.START,
        event=EV.START,
        emits=(_E(O.CLIENT_HELLO),),
        effects=(F.OFFER,),
        next=S.C_WAIT_SH,
        rule="RFC5246-7.4.1.2",
    ),
    # --- ServerHello: which protocol did the server pick? -----------------------------
    _T(
        state=S.C_WAIT_SH,
        event=EV.R_SERVER_HELLO,
        guard=G.VERSION_NOT_OFFERED,
        emits=(_E(O.ALERT_PROTOCOL_VERSION),),
        effects=(F.FAIL,),
        next=S.CLOSED,
        error=RemoteProtocolError,
        rule="RFC8446-4.2.1",
    ),
    _T(
        state=S.C_WAIT_SH,
        event=EV.R_SERVER_HELLO,
        guard=G.TLS13,
        effects=(F.ACCEPT_SERVER_HELLO,),
        next=S.C13_WAIT_EE,
        rule="RFC8446-2",
    ),
    _T(
        state=S.C_WAIT_SH,
        event=EV.R_SERVER_HELLO,
        guard=G.SH_RESUMED,
        effects=(F.ACCEPT_SERVER_HELLO,),
        next=S.C12_ABBR_WAIT_NST_OR_CCS,
        rule="RFC5246-7.3-abbreviated",
    ),
    _T(
        state=S.C_WAIT_SH,
        event=EV.R_SERVER_HELLO,
        guard=G.TLS12,
        effects=(F.ACCEPT_SERVER_HELLO,),
        next=S.C12_WAIT_CERT,
        rule="RFC5246-7.3",
    ),
    # Back to the old connection only if there is one (a refused renegotiation).
    *_refused_renegotiation_rows(S.C_WAIT_SH, S.C12_CONNECTED, only_renegotiating=True),
    # --- TLS ≤ 1.2 full handshake ------------------------------------------------------
    _T(state=S.C12_WAIT_CERT, event=EV.R_CERTIFICATE, next=S.C12_WAIT_SKE, rule="RFC5246-7.3"),
    _T(
        state=S.C12_WAIT_SKE,
        event=EV.R_SERVER_KEY_EXCHANGE,
        next=S.C12_WAIT_CR_OR_SHD,
        rule="RFC5246-7.3",
    ),
    _ask_user_first(S.C12_WAIT_CR_OR_SHD),
    _T(
        state=S.C12_WAIT_CR_OR_SHD,
        event=EV.R_CERTIFICATE_REQUEST,
        effects=(F.NOTE_CERT_REQUEST,),
        next=S.C12_WAIT_SHD,
        rule="RFC5246-7.4.4",
    ),
    _T(
        state=S.C12_WAIT_CR_OR_SHD,
        event=EV.R_SERVER_HELLO_DONE,
        emits=(_E(O.CLIENT_KEY_EXCHANGE), *_CLIENT_FLIGHT_12_END),
        effects=(F.NEW_WRITE_KEYS,),
        next=S.C12_WAIT_NST_OR_CCS,
        rule="RFC5246-7.3",
    ),
    _T(
        state=S.C12_WAIT_SHD,
        event=EV.R_SERVER_HELLO_DONE,
        emits=(
            _E(O.CLIENT_CERTIFICATE),
            _E(O.CLIENT_KEY_EXCHANGE),
            _E(O.CERTIFICATE_VERIFY, C.HAS_CERT),
            *_CLIENT_FLIGHT_12_END,
        ),
        effects=(F.NEW_WRITE_KEYS,),
        next=S.C12_WAIT_NST_OR_CCS,
        rule="RFC5246-7.4.6",
    ),
    _T(
        state=S.C12_WAIT_NST_OR_CCS,
        event=EV.R_NEW_SESSION_TICKET,
        next=S.C12_WAIT_CCS,
        rule="RFC5077-3.3",
    ),
    _T(
        state=S.C12_WAIT_NST_OR_CCS,
        event=EV.R_CHANGE_CIPHER_SPEC,
        next=S.C12_WAIT_FINISHED,
        rule="RFC5246-7.3",
    ),
    _T(
        state=S.C12_WAIT_CCS,
        event=EV.R_CHANGE_CIPHER_SPEC,
        next=S.C12_WAIT_FINISHED,
        rule="RFC5246-7.3",
    ),
    _T(
        state=S.C12_WAIT_FINISHED,
        event=EV.R_FINISHED,
        effects=(F.HANDSHAKE_DONE,),
        next=S.C12_CONNECTED,
        rule="RFC5246-7.4.9",
    ),
    # --- TLS ≤ 1.2 abbreviated handshake -------------------------------------------------
    _T(
        state=S.C12_ABBR_WAIT_NST_OR_CCS,
        event=EV.R_NEW_SESSION_TICKET,
        next=S.C12_ABBR_WAIT_CCS,
        rule="RFC5077-3.3",
    ),
    _T(
        state=S.C12_ABBR_WAIT_NST_OR_CCS,
        event=EV.R_CHANGE_CIPHER_SPEC,
        next=S.C12_ABBR_WAIT_FINISHED,
        rule="RFC5246-7.3-abbreviated",
    ),
    _T(
        state=S.C12_ABBR_WAIT_CCS,
        event=EV.R_CHANGE_CIPHER_SPEC,
        next=S.C12_ABBR_WAIT_FINISHED,
        rule="RFC5246-7.3-abbreviated",
    ),
    _T(
        state=S.C12_ABBR_WAIT_FINISHED,
        event=EV.R_FINISHED,
        emits=_CLIENT_FLIGHT_12_END,
        effects=(F.HANDSHAKE_DONE, F.NEW_WRITE_KEYS),
        next=S.C12_CONNECTED,
        rule="RFC5246-7.3-abbreviated",
    ),
    # --- TLS ≤ 1.2 connected: HelloRequest (R-TLS-1) -------------------------------------
    _T(
        state=S.C12_CONNECTED,
        event=EV.R_HELLO_REQUEST,
        guard=G.RENEG_ACCEPT,
        emits=(_E(O.CLIENT_HELLO),),
        effects=(F.BEGIN_RENEGOTIATION, F.OFFER),
        next=S.C_WAIT_SH,
        rule="RFC5246-7.4.1.1",
    ),
    _T(
        state=S.C12_CONNECTED,
        event=EV.R_HELLO_REQUEST,
        guard=G.RENEG_REFUSE_FATAL,
        emits=(_E(O.ALERT_NO_RENEGOTIATION),),
        effects=(F.FAIL,),
        next=S.CLOSED,
        error=HandshakeRefused,
        rule="R-CLI-2",
    ),
    _T(
        state=S.C12_CONNECTED,
        event=EV.R_HELLO_REQUEST,
        guard=G.RENEG_REFUSE_WARNING,
        emits=(_E(O.ALERT_NO_RENEGOTIATION),),
        next=S.C12_CONNECTED,
        rule="RFC5246-7.4.1.1",
    ),
    _T(
        state=S.C12_CONNECTED,
        event=EV.R_HELLO_REQUEST,
        next=S.C12_CONNECTED,
        rule="RFC5246-7.4.1.1",
    ),
    _T(
        state=S.C12_CONNECTED,
        event=EV.RENEGOTIATE,
        emits=(_E(O.CLIENT_HELLO),),
        effects=(F.BEGIN_RENEGOTIATION, F.OFFER),
        next=S.C_WAIT_SH,
        rule="RFC5246-7.4.1.2",
    ),
    # --- TLS 1.3 handshake ------------------------------------------------------------
    _ignore_ccs_13(S.C13_WAIT_EE),
    _T(
        state=S.C13_WAIT_EE,
        event=EV.R_ENCRYPTED_EXTENSIONS,
        next=S.C13_WAIT_CERT_CR,
        rule="RFC8446-2",
    ),
    _ask_user_first(S.C13_WAIT_CERT_CR),
    _T(
        state=S.C13_WAIT_CERT_CR,
        event=EV.R_CERTIFICATE_REQUEST,
        effects=(F.NOTE_CERT_REQUEST,),
        next=S.C13_WAIT_CERT,
        rule="RFC8446-4.3.2",
    ),
    _T(state=S.C13_WAIT_CERT_CR, event=EV.R_CERTIFICATE, next=S.C13_WAIT_CV, rule="RFC8446-2"),
    _T(state=S.C13_WAIT_CERT, event=EV.R_CERTIFICATE, next=S.C13_WAIT_CV, rule="RFC8446-2"),
    _T(
        state=S.C13_WAIT_CV,
        event=EV.R_CERTIFICATE_VERIFY,
        next=S.C13_WAIT_FINISHED,
        rule="RFC8446-2",
    ),
    _T(
        state=S.C13_WAIT_FINISHED,
        event=EV.R_FINISHED,
        guard=G.CERT_REQUESTED_WITH_CERT,
        emits=(
            _E(O.CHANGE_CIPHER_SPEC, C.COMPAT_CCS),
            _E(O.CLIENT_CERTIFICATE),
            _E(O.CERTIFICATE_VERIFY),
            _E(O.FINISHED),
        ),
        effects=(F.HANDSHAKE_DONE, F.NEW_WRITE_KEYS),
        next=S.C13_CONNECTED,
        rule="RFC8446-2",
    ),
    _T(
        state=S.C13_WAIT_FINISHED,
        event=EV.R_FINISHED,
        guard=G.CERT_REQUESTED_NO_CERT,
        emits=(_E(O.CHANGE_CIPHER_SPEC, C.COMPAT_CCS), _E(O.CLIENT_CERTIFICATE), _E(O.FINISHED)),
        effects=(F.HANDSHAKE_DONE, F.NEW_WRITE_KEYS),
        next=S.C13_CONNECTED,
        rule="RFC8446-4.4.2",
    ),
    _T(
        state=S.C13_WAIT_FINISHED,
        event=EV.R_FINISHED,
        emits=(_E(O.CHANGE_CIPHER_SPEC, C.COMPAT_CCS), _E(O.FINISHED)),
        effects=(F.HANDSHAKE_DONE, F.NEW_WRITE_KEYS),
        next=S.C13_CONNECTED,
        rule="RFC8446-2",
    ),
    # --- TLS 1.3 connected ------------------------------------------------------------
    _T(
        state=S.C13_CONNECTED,
        event=EV.R_NEW_SESSION_TICKET,
        next=S.C13_CONNECTED,
        rule="RFC8446-4.6.1",
    ),
    _T(state=S.C13_CONNECTED, event=EV.R_KEY_UPDATE, next=S.C13_CONNECTED, rule="RFC8446-4.6.3"),
    _T(
        state=S.C13_CONNECTED,
        event=EV.R_CERTIFICATE_REQUEST,
        guard=G.PHA_OFFERED_WITH_CERT,
        emits=(_E(O.CLIENT_CERTIFICATE), _E(O.CERTIFICATE_VERIFY), _E(O.FINISHED)),
        effects=(F.NOTE_CERT_REQUEST,),
        next=S.C13_CONNECTED,
        rule="RFC8446-4.6.2",
    ),
    _T(
        state=S.C13_CONNECTED,
        event=EV.R_CERTIFICATE_REQUEST,
        guard=G.PHA_OFFERED_NO_CERT,
        emits=(_E(O.CLIENT_CERTIFICATE), _E(O.FINISHED)),
        effects=(F.NOTE_CERT_REQUEST,),
        next=S.C13_CONNECTED,
        rule="RFC8446-4.6.2",
    ),
    _T(
        state=S.C13_CONNECTED,
        event=EV.RENEGOTIATE,
        refuse="TLS 1.3 has no renegotiation",
        next=S.C13_CONNECTED,
        rule="R-TLS-4",
    ),
    *_closing_rows(_CLIENT_LIVE, renegotiation_waits=(S.C_WAIT_SH,)),
)


def table_for(role: Role) -> tuple[Transition, ...]:
    """The transition table of ``role``."""
    return SERVER_TABLE if role is Role.SERVER else CLIENT_TABLE


def states_for(role: Role) -> tuple[State, ...]:
    """Every state ``role``'s machine can be in (including START and CLOSED)."""
    seen: dict[State, None] = {S.START: None}
    for row in table_for(role):
        seen.setdefault(row.state, None)
        seen.setdefault(row.next, None)
    seen.setdefault(S.CLOSED, None)
    return tuple(seen)

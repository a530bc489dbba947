// What the server refused, in the reader's language. A refusal's body is
// `{detail, code, params}`; a validation error's (422) is `{detail: [{loc, type, ctx, msg}]}`,
// each item's `type` a code and `ctx` its values. A booking's failure is `{code: reason_code,
// params: reason_params, detail: reason}`. Each code's text lives here in every language the
// apps speak, with {name} for a param; a code not listed here falls back to the server's
// English `detail` (tests/unit/test_problem_texts.py checks that every code the servers send
// is listed, in English and in French).
import { readableDetail } from "/shared/errors.js";
import { typesetAll } from "/shared/french.js";

export const PROBLEM_TEXTS = {
  en: {
    // ---- signing in, roles
    "auth.sign_in_first": "Please sign in first.",
    "auth.token_invalid": "Your session has expired: sign in again.",
    "auth.session_ended": "This session has ended: sign in again.",
    "auth.ticket_wrong_booking": "The live progress could not be followed for this booking: reload the page.",
    "auth.ticket_used": "The live progress could not be followed (its ticket was already used): reload the page.",
    "auth.wrong_password": "Wrong username or password.",
    "auth.locked_out": "Too many wrong passwords: sign-in is locked for {seconds} (an operator can lift it).",
    "auth.account_disabled": "This account is disabled: ask your agency’s manager or head office.",
    "auth.current_password_wrong": "The current password is wrong.",
    "auth.operators_only": "Only operators may do this.",
    "auth.bookers_only": "Only an agency’s agents and managers book and handle clients.",
    "auth.hotel_managers_read_only": "Hotel managers read their hotels’ bookings; agencies change them.",
    "auth.hotel_runners_only": "Only hotel managers and operators may do this.",
    "auth.operators_and_managers_only": "Only operators and agency managers may do this.",
    // ---- passwords and accounts
    "password.demo": "This password is published with the demo: choose another.",
    "password.too_short": "A password has at least {min_length} characters.",
    "password.too_long": "A password has at most {max_length} characters.",
    "password.has_username": "A password must not contain the username.",
    "password.too_few_characters": "A password needs at least {min_different} different characters.",
    "password.unchanged": "The new password must differ from the current one.",
    "account.agency_exists": "An agency {agency_id} already exists: choose another id.",
    "partner.not_found": "There is no partner {agency_id}.",
    "partner.broker_users_unavailable": "The partner’s broker user cannot be made here ({reason}).",
    "account.username_taken": "The username {username} is taken: choose another.",
    "account.managers_create_agents_only": "An agency manager creates agents only.",
    "account.own_agency_only": "An agency manager creates agents of their own agency only.",
    "account.creators_only": "Only operators and agency managers create accounts.",
    "account.not_your_own": "You cannot disable, enable or reset your own account here.",
    "account.own_agents_only": "You manage the agents of your own agency only.",
    "account.not_allowed": "You may not do this to that account.",
    "account.role_needs_agency": "An account of role {role} belongs to an agency: choose one.",
    "account.no_such_agency": "There is no agency {agency_id}.",
    "account.role_has_no_agency": "An account of role {role} belongs to no agency.",
    "account.hotel_manager_needs_hotel": "A hotel manager runs at least one hotel: name it.",
    "account.hotels_for_hotel_managers": "Only a hotel manager runs hotels.",
    "account.unknown_hotels": "The group has no hotel {hotels}.",
    "account.not_found": "No such account (or not one you manage).",
    // ---- bookings, changes, clients, search
    "booking.not_found": "No booking with this id (or not one you may see).",
    "booking.not_submitted": "The booking could not be sent (the message broker did not answer), so nothing was booked. Try again in a minute: the same request never books twice.",
    "booking.not_cancellable": "Only a confirmed booking can be cancelled (this one: {status}).",
    "booking.change_under_way": "A change of this booking is under way; cancel it once the change has ended.",
    "booking.cancel_not_submitted": "The cancellation could not be sent (the message broker did not answer): the booking stands. Try again in a minute.",
    "booking.key_reused": "This request was already sent with other details ({fields}): start a new booking instead.",
    "voucher.not_confirmed": "A voucher is only for a confirmed booking.",
    "change.key_reused": "This change was already asked for with other details: start a new change instead.",
    "change.not_submitted": "The change could not be sent (the message broker did not answer): the booking is unchanged. Try again in a minute.",
    "change.not_confirmed": "Only a confirmed booking can be changed (this one: {status}).",
    "change.under_way": "Another change of this booking is under way: wait for it to end.",
    "change.nothing_changed": "The change asks for the booking as it already is.",
    "client.known": "Your agency already knows a client with this email: book for that client.",
    "client.email_taken": "Your agency already registered a client with this email: search for them by name.",
    "client.not_found": "No client with this id.",
    "search.unknown_destination": "The group has no hotel in {destination}. Check the spelling, or try a city or a country (for example Paris, Lomé, Japan or JP).",
    // ---- the system
    "service.unreachable": "The {service} service did not answer. Try again in a minute; if it happens again, tell your operator.",
    "service.failed": "The {service} service ran into a problem. Try again in a minute; if it happens again, tell your operator.",
    "broker.unreachable": "The message broker did not answer. Try again in a minute.",
    "request.too_large": "The request is too large (over {max_bytes} bytes).",
    "request.not_json": "The request could not be read (it must be JSON).",
    "request.no_actor": "The request did not say who is acting.",
    // ---- hotels, rooms, the catalogue
    "hotel.not_found": "The group has no hotel {hotel_id}.",
    "hotel.not_yours": "No such hotel among those you run.",
    "room_type.not_found": "This hotel has no room type {room_type_id}.",
    "room.not_found": "This room type has no room {room_id}.",
    "closure.booked_nights": "Room {room} is booked on {nights}: a sold night cannot be closed. Choose other nights or another room.",
    "closure.kept_changing": "Guests kept booking these nights while they were being closed. Try again.",
    "catalogue.clash": "{table} {id} clashes with an existing row.",
    "catalogue.not_found": "No {table} {id}.",
    // ---- operators
    "dead_letters.unknown_queue": "{queue} is not a dead-letter queue.",
    "dead_letters.no_message": "No such message in {queue}: it may have been handled already. Refresh the list.",
    "saga.not_found": "No booking or change {saga_id}.",
    "saga.nothing_to_retry": "Nothing to retry (state: {state}).",
    "saga.no_step_waiting": "Nothing to retry: no step is waiting for an answer.",
    "saga.cannot_compensate": "It cannot be undone in its state ({state}).",
    "saga.past_no_return": "It is past its point of no return and only goes forward: retry it instead.",
    "saga.nothing_done": "Nothing was done (state: {state}).",
    // ---- why a booking failed
    "reason.no_room_free": "No room of this type is free for these dates. Search again for another room or other dates.",
    "reason.unknown_room_type": "This hotel has no such room type.",
    "reason.over_capacity": "This room type cannot take that many guests.",
    "reason.invalid_stay": "The hotel does not take this stay (its dates or its length).",
    "reason.client_unknown": "The client is unknown.",
    "reason.client_blocked": "The client is blocked: ask your operator why.",
    "reason.hold_expired": "The room hold expired before the booking could be confirmed, so nothing was booked. Search again.",
    "reason.change_hold_expired": "The hold on the new nights expired before the change was made; the booking is unchanged.",
    "reason.compensation": "The booking could not be completed, so nothing was booked.",
    "reason.operator_stopped": "An operator stopped the booking, so nothing was booked.",
    "reason.reservation_rejected": "The reservation could not be written ({detail}), so nothing was booked. If it happens again, tell your operator.",
    "reason.no_answer": "Part of the system (the {service} service) did not answer in time, so nothing was booked. Try again in a minute; if it happens again, tell your operator.",
    "reason.not_changeable": "The booking cannot be changed this way: {detail}",
    // ---- a booking's history and cancellation terms
    "history.requested": "Booking requested",
    "history.room_held": "Room {room} held",
    "history.client_verified": "Client verified",
    "history.reservation_written": "Reservation written",
    "history.confirmed": "Confirmed, code {code}",
    "history.failed": "Failed: {reason}",
    "history.cancelled": "Cancelled",
    "history.changed": "Changed",
    "history.undone": "Undone: {step}",
    "terms.free_until": "Free cancellation until {free_until}. After that, the first night ({amount}) is charged.",
    "terms.first_night_charged": "The free cancellation period has ended: a cancellation now costs the first night ({amount}).",
    "terms.unknown": "Ask the hotel for its cancellation terms.",
    // ---- a field that is not valid (422): said after the field's name
    "missing": "required.",
    "string_too_short": "at least {min_length} characters.",
    "string_too_long": "at most {max_length} characters.",
    "string_pattern_mismatch": "not in the expected form.",
    "string_type": "must be text.",
    "greater_than": "must be more than {gt}.",
    "greater_than_equal": "must be at least {ge}.",
    "less_than": "must be less than {lt}.",
    "less_than_equal": "must be at most {le}.",
    "int_parsing": "must be a whole number.",
    "int_type": "must be a whole number.",
    "decimal_parsing": "must be a number.",
    "decimal_max_digits": "at most {max_digits} digits.",
    "decimal_max_places": "at most {decimal_places} decimals.",
    "date_parsing": "must be a date.",
    "date_from_datetime_parsing": "must be a date.",
    "date_format": "must be a date written YYYY-MM-DD.",
    "datetime_parsing": "must be a date and a time.",
    "uuid_parsing": "not a valid id.",
    "enum": "must be one of {expected}.",
    "literal_error": "must be one of {expected}.",
    "list_too_long": "too many (at most {max_length}).",
    "value_error": "not valid.",
    "json_invalid": "the request could not be read as JSON.",
    "extra_forbidden": "not expected here.",
    "blank": "must not be blank.",
    "control_characters": "must not contain control characters.",
    "name_without_letter": "must contain at least one letter.",
    "email_invalid": "must be an email address such as name@example.com.",
    "phone_invalid": "must be an international number, with + and the country code (for example +228 90 11 22 33).",
    "country_code_invalid": "must be a country code such as FR or TG.",
    "document_number_invalid": "must hold letters and digits (spaces and dashes between them).",
    "document_incomplete": "give both the document’s type and its number, or neither.",
    "time_zone_unknown": "{time_zone} is not a time zone (write it as Europe/Paris).",
    "stay_check_out_not_after_check_in": "the departure must be after the arrival.",
    "stay_too_long": "a stay is at most {max_nights} nights.",
    "stay_check_in_past": "{check_in} has passed. Choose today or a later date.",
    "stay_over_capacity": "this room takes {capacity} guests at most.",
    "range_end_not_after_start": "the end must be after the start (the end night is not included).",
    "range_too_long": "at most {max_nights} nights at once.",
    "unknown_parent": "no {parent} {id}.",
  },
  fr: {
    // ---- signing in, roles
    "auth.sign_in_first": "Connectez-vous d’abord.",
    "auth.token_invalid": "Votre session a expiré : reconnectez-vous.",
    "auth.session_ended": "Cette session est terminée : reconnectez-vous.",
    "auth.ticket_wrong_booking": "Le suivi en direct de cette réservation n’a pas pu être ouvert : rechargez la page.",
    "auth.ticket_used": "Le suivi en direct n’a pas pu être ouvert (son ticket a déjà servi) : rechargez la page.",
    "auth.wrong_password": "Identifiant ou mot de passe incorrect.",
    "auth.locked_out": "Trop de mots de passe erronés : la connexion est bloquée pendant {seconds} (un opérateur peut la débloquer).",
    "auth.account_disabled": "Ce compte est désactivé : adressez-vous au responsable de votre agence ou au siège.",
    "auth.current_password_wrong": "Le mot de passe actuel est incorrect.",
    "auth.operators_only": "Seuls les opérateurs peuvent faire cela.",
    "auth.bookers_only": "Seuls les agents et les responsables d’agence réservent et gèrent les clients.",
    "auth.hotel_managers_read_only": "Les responsables d’hôtel consultent les réservations de leurs hôtels ; ce sont les agences qui les modifient.",
    "auth.hotel_runners_only": "Seuls les responsables d’hôtel et les opérateurs peuvent faire cela.",
    "auth.operators_and_managers_only": "Seuls les opérateurs et les responsables d’agence peuvent faire cela.",
    // ---- passwords and accounts
    "password.demo": "Ce mot de passe est publié avec la démo : choisissez-en un autre.",
    "password.too_short": "Un mot de passe compte au moins {min_length} caractères.",
    "password.too_long": "Un mot de passe compte au plus {max_length} caractères.",
    "password.has_username": "Le mot de passe ne doit pas contenir l’identifiant.",
    "password.too_few_characters": "Un mot de passe doit compter au moins {min_different} caractères différents.",
    "password.unchanged": "Le nouveau mot de passe doit être différent de l’actuel.",
    "account.agency_exists": "Une agence {agency_id} existe déjà : choisissez un autre identifiant.",
    "partner.not_found": "Il n’y a pas de partenaire {agency_id}.",
    "partner.broker_users_unavailable": "L’utilisateur du partenaire sur le courtier ne peut pas être créé ici ({reason}).",
    "account.username_taken": "L’identifiant {username} est déjà pris : choisissez-en un autre.",
    "account.managers_create_agents_only": "Un responsable d’agence ne crée que des agents.",
    "account.own_agency_only": "Un responsable d’agence ne crée des agents que dans sa propre agence.",
    "account.creators_only": "Seuls les opérateurs et les responsables d’agence créent des comptes.",
    "account.not_your_own": "Vous ne pouvez pas désactiver, réactiver ni réinitialiser votre propre compte ici.",
    "account.own_agents_only": "Vous ne gérez que les agents de votre propre agence.",
    "account.not_allowed": "Vous ne pouvez pas faire cela sur ce compte.",
    "account.role_needs_agency": "Un compte de rôle {role} appartient à une agence : choisissez-la.",
    "account.no_such_agency": "Il n’y a pas d’agence {agency_id}.",
    "account.role_has_no_agency": "Un compte de rôle {role} n’appartient à aucune agence.",
    "account.hotel_manager_needs_hotel": "Un responsable d’hôtel gère au moins un hôtel : indiquez-le.",
    "account.hotels_for_hotel_managers": "Seul un responsable d’hôtel gère des hôtels.",
    "account.unknown_hotels": "Le groupe n’a pas d’hôtel {hotels}.",
    "account.not_found": "Ce compte n’existe pas (ou vous ne le gérez pas).",
    // ---- bookings, changes, clients, search
    "booking.not_found": "Aucune réservation ne porte cet identifiant (ou vous ne pouvez pas la voir).",
    "booking.not_submitted": "La réservation n’a pas pu être envoyée (la messagerie n’a pas répondu) : rien n’a été réservé. Réessayez dans une minute ; la même demande ne réserve jamais deux fois.",
    "booking.not_cancellable": "Seule une réservation confirmée peut être annulée (celle-ci : {status}).",
    "booking.change_under_way": "Une modification de cette réservation est en cours ; annulez-la une fois la modification terminée.",
    "booking.cancel_not_submitted": "L’annulation n’a pas pu être envoyée (la messagerie n’a pas répondu) : la réservation est maintenue. Réessayez dans une minute.",
    "booking.key_reused": "Cette demande a déjà été envoyée avec d’autres informations ({fields}) : faites une nouvelle réservation.",
    "voucher.not_confirmed": "Un bon d’échange n’existe que pour une réservation confirmée.",
    "change.key_reused": "Cette modification a déjà été demandée avec d’autres informations : faites une nouvelle demande de modification.",
    "change.not_submitted": "La modification n’a pas pu être envoyée (la messagerie n’a pas répondu) : la réservation est inchangée. Réessayez dans une minute.",
    "change.not_confirmed": "Seule une réservation confirmée peut être modifiée (celle-ci : {status}).",
    "change.under_way": "Une autre modification de cette réservation est en cours : attendez qu’elle se termine.",
    "change.nothing_changed": "La modification demande la réservation telle qu’elle est déjà.",
    "client.known": "Votre agence connaît déjà un client avec cette adresse e-mail : réservez pour ce client.",
    "client.email_taken": "Votre agence a déjà enregistré un client avec cette adresse e-mail : cherchez-le par son nom.",
    "client.not_found": "Aucun client ne porte cet identifiant.",
    "search.unknown_destination": "Le groupe n’a pas d’hôtel à « {destination} ». Vérifiez l’orthographe, ou essayez une ville ou un pays (par exemple Paris, Lomé, Japon ou JP).",
    // ---- the system
    "service.unreachable": "Le service {service} n’a pas répondu. Réessayez dans une minute ; si cela se reproduit, prévenez votre opérateur.",
    "service.failed": "Le service {service} a rencontré un problème. Réessayez dans une minute ; si cela se reproduit, prévenez votre opérateur.",
    "broker.unreachable": "La messagerie n’a pas répondu. Réessayez dans une minute.",
    "request.too_large": "La demande est trop volumineuse (plus de {max_bytes} octets).",
    "request.not_json": "La demande n’a pas pu être lue (elle doit être en JSON).",
    "request.no_actor": "La demande n’indique pas qui agit.",
    // ---- hotels, rooms, the catalogue
    "hotel.not_found": "Le groupe n’a pas d’hôtel {hotel_id}.",
    "hotel.not_yours": "Cet hôtel ne fait pas partie de ceux que vous gérez.",
    "room_type.not_found": "Cet hôtel n’a pas de type de chambre {room_type_id}.",
    "room.not_found": "Ce type de chambre n’a pas de chambre {room_id}.",
    "closure.booked_nights": "La chambre {room} est réservée ces nuits-là : {nights}. Une nuit vendue ne peut pas être fermée : choisissez d’autres nuits ou une autre chambre.",
    "closure.kept_changing": "Des clients réservaient ces nuits pendant leur fermeture. Réessayez.",
    "catalogue.clash": "{table} {id} est en conflit avec une ligne existante.",
    "catalogue.not_found": "{table} : aucune ligne {id}.",
    // ---- operators
    "dead_letters.unknown_queue": "{queue} n’est pas une file de messages en échec.",
    "dead_letters.no_message": "Ce message n’est plus dans {queue} : il a peut-être déjà été traité. Actualisez la liste.",
    "saga.not_found": "Aucune réservation ni modification {saga_id}.",
    "saga.nothing_to_retry": "Rien à relancer (état : {state}).",
    "saga.no_step_waiting": "Rien à relancer : aucune étape n’attend de réponse.",
    "saga.cannot_compensate": "Elle ne peut pas être défaite dans son état ({state}).",
    "saga.past_no_return": "Elle a passé son point de non-retour et ne peut qu’aller de l’avant : relancez-la plutôt.",
    "saga.nothing_done": "Rien n’a été fait (état : {state}).",
    // ---- why a booking failed
    "reason.no_room_free": "Aucune chambre de ce type n’est libre à ces dates. Cherchez une autre chambre ou d’autres dates.",
    "reason.unknown_room_type": "Cet hôtel n’a pas ce type de chambre.",
    "reason.over_capacity": "Ce type de chambre ne peut pas accueillir autant de voyageurs.",
    "reason.invalid_stay": "L’hôtel n’accepte pas ce séjour (ses dates ou sa durée).",
    "reason.client_unknown": "Ce client est inconnu.",
    "reason.client_blocked": "Ce client est bloqué : demandez pourquoi à votre opérateur.",
    "reason.hold_expired": "Le blocage de la chambre a expiré avant la confirmation : rien n’a été réservé. Relancez la recherche.",
    "reason.change_hold_expired": "Le blocage des nouvelles nuits a expiré avant la modification ; la réservation est inchangée.",
    "reason.compensation": "La réservation n’a pas pu aboutir : rien n’a été réservé.",
    "reason.operator_stopped": "Un opérateur a arrêté la réservation : rien n’a été réservé.",
    "reason.reservation_rejected": "La réservation n’a pas pu être enregistrée (motif donné par le service : « {detail} ») ; rien n’a été réservé. Si cela se reproduit, prévenez votre opérateur.",
    "reason.no_answer": "Une partie du système (le service {service}) n’a pas répondu à temps : rien n’a été réservé. Réessayez dans une minute ; si cela se reproduit, prévenez votre opérateur.",
    "reason.not_changeable": "La réservation ne peut pas être modifiée ainsi (elle n’est plus confirmée, une autre modification est en cours, ou la modification change d’hôtel ou de client).",
    // ---- a booking's history and cancellation terms
    "history.requested": "Réservation demandée",
    "history.room_held": "Chambre {room} bloquée",
    "history.client_verified": "Client vérifié",
    "history.reservation_written": "Réservation enregistrée",
    "history.confirmed": "Confirmée, code {code}",
    "history.failed": "Échec : {reason}",
    "history.cancelled": "Annulée",
    "history.changed": "Modifiée",
    "history.undone": "Annulé : {step}",
    "terms.free_until": "Annulation gratuite jusqu’au {free_until}. Passé ce délai, la première nuit ({amount}) est facturée.",
    "terms.first_night_charged": "Le délai d’annulation gratuite est passé : une annulation coûte désormais la première nuit ({amount}).",
    "terms.unknown": "Demandez à l’hôtel ses conditions d’annulation.",
    // ---- a field that is not valid (422): said after the field's name
    "missing": "obligatoire.",
    "string_too_short": "au moins {min_length} caractères.",
    "string_too_long": "au plus {max_length} caractères.",
    "string_pattern_mismatch": "la forme attendue n’est pas respectée.",
    "string_type": "doit être du texte.",
    "greater_than": "doit être supérieur à {gt}.",
    "greater_than_equal": "doit être au moins {ge}.",
    "less_than": "doit être inférieur à {lt}.",
    "less_than_equal": "doit être au plus {le}.",
    "int_parsing": "doit être un nombre entier.",
    "int_type": "doit être un nombre entier.",
    "decimal_parsing": "doit être un nombre.",
    "decimal_max_digits": "au plus {max_digits} chiffres.",
    "decimal_max_places": "au plus {decimal_places} décimales.",
    "date_parsing": "doit être une date.",
    "date_from_datetime_parsing": "doit être une date.",
    "date_format": "doit être une date écrite AAAA-MM-JJ.",
    "datetime_parsing": "doit être une date et une heure.",
    "uuid_parsing": "identifiant non valide.",
    "enum": "doit être l’une de ces valeurs : {expected}.",
    "literal_error": "doit être l’une de ces valeurs : {expected}.",
    "list_too_long": "trop d’éléments (au plus {max_length}).",
    "value_error": "valeur non valide.",
    "json_invalid": "la demande n’a pas pu être lue en JSON.",
    "extra_forbidden": "champ inattendu ici.",
    "blank": "ne doit pas être vide.",
    "control_characters": "ne doit pas contenir de caractères de contrôle.",
    "name_without_letter": "doit contenir au moins une lettre.",
    "email_invalid": "doit être une adresse e-mail comme nom@exemple.fr.",
    "phone_invalid": "doit être un numéro international, avec + et l’indicatif du pays (par exemple +228 90 11 22 33).",
    "country_code_invalid": "doit être un code de pays comme FR ou TG.",
    "document_number_invalid": "doit contenir des lettres et des chiffres (espaces et tirets entre eux).",
    "document_incomplete": "indiquez le type de la pièce et son numéro, ou ni l’un ni l’autre.",
    "time_zone_unknown": "{time_zone} n’est pas un fuseau horaire (écrivez-le comme Europe/Paris).",
    "stay_check_out_not_after_check_in": "le départ doit être après l’arrivée.",
    "stay_too_long": "un séjour compte au plus {max_nights} nuits.",
    "stay_check_in_past": "la date du {check_in} est passée. Choisissez aujourd’hui ou une date ultérieure.",
    "stay_over_capacity": "cette chambre accueille {capacity} voyageurs au plus.",
    "range_end_not_after_start": "la fin doit être après le début (la dernière nuit n’est pas comprise).",
    "range_too_long": "au plus {max_nights} nuits à la fois.",
    "unknown_parent": "{parent} : aucune ligne {id}.",
  },
};
PROBLEM_TEXTS.fr = typesetAll(PROBLEM_TEXTS.fr);

// The name of each field a form sends, by the last part of a validation error's `loc`.
export const FIELD_NAMES = {
  en: {
    check_in: "Arrival", check_out: "Departure", guests: "Guests", destination: "Destination",
    city: "City", country: "Country", hotel_id: "Hotel", room_type_id: "Room type",
    client_id: "Client", client: "Client", max_price: "Maximum price", first_name: "First name",
    last_name: "Last name", email: "Email", phone: "Phone", nationality: "Nationality",
    document_type: "Document type", document_number: "Document number", username: "Username",
    display_name: "Name", password: "Password", new_password: "New password",
    current_password: "Current password", role: "Role", agency_id: "Agency", hotel_ids: "Hotels",
    name: "Name", time_zone: "Time zone", currency: "Currency", manager: "Manager",
    start: "From", end: "To", price: "Price", room_id: "Room", reason: "Reason", q: "Search",
    code: "Confirmation code", status: "Status", stay_from: "Stays from", stay_to: "Stays until",
    limit: "Page size", offset: "Page start", booking_id: "Booking", change_id: "Change",
    "Idempotency-Key": "Request key", lang: "Language", minutes: "Minutes", queue: "Queue",
    message_id: "Message", saga_id: "Booking", ticket: "Ticket", body: "Request",
  },
  fr: {
    check_in: "Arrivée", check_out: "Départ", guests: "Voyageurs", destination: "Destination",
    city: "Ville", country: "Pays", hotel_id: "Hôtel", room_type_id: "Type de chambre",
    client_id: "Client", client: "Client", max_price: "Prix maximum", first_name: "Prénom",
    last_name: "Nom", email: "Adresse e-mail", phone: "Téléphone", nationality: "Nationalité",
    document_type: "Type de pièce d’identité", document_number: "Numéro de pièce d’identité",
    username: "Identifiant", display_name: "Nom affiché", password: "Mot de passe",
    new_password: "Nouveau mot de passe", current_password: "Mot de passe actuel", role: "Rôle",
    agency_id: "Agence", hotel_ids: "Hôtels", name: "Nom", time_zone: "Fuseau horaire",
    currency: "Devise", manager: "Responsable", start: "Du", end: "Au", price: "Prix",
    room_id: "Chambre", reason: "Motif", q: "Recherche", code: "Code de confirmation",
    status: "Statut", stay_from: "Séjours à partir du", stay_to: "Séjours jusqu’au",
    limit: "Taille de page", offset: "Début de page", booking_id: "Réservation",
    change_id: "Modification", "Idempotency-Key": "Clé de la demande", lang: "Langue",
    minutes: "Minutes", queue: "File", message_id: "Message", saga_id: "Réservation",
    ticket: "Ticket", body: "Demande",
  },
};

// Values the server sends as names (a service, a state, a role, a step), in each language.
const VALUE_NAMES = {
  en: {
    service: { rooms: "rooms", clients: "clients", reservations: "reservations", orchestrator: "booking" },
    status: {
      PENDING: "pending", ROOM_HELD: "room held", CLIENT_VERIFIED: "client verified",
      RESERVED: "reserved", CONFIRMED: "confirmed", COMPENSATING: "being undone",
      FAILED: "failed", CANCELLING: "being cancelled", CANCELLED: "cancelled",
      STUCK: "waiting for an operator",
    },
    role: { agent: "agent", agency_manager: "agency manager", hotel_manager: "hotel manager", operator: "operator" },
    step: { hold_room: "the room hold", verify_client: "the client check", write_reservation: "the reservation" },
  },
  fr: {
    service: { rooms: "des chambres", clients: "des clients", reservations: "des réservations", orchestrator: "de suivi des réservations" },
    status: {
      PENDING: "en attente", ROOM_HELD: "chambre bloquée", CLIENT_VERIFIED: "client vérifié",
      RESERVED: "enregistrée", CONFIRMED: "confirmée", COMPENSATING: "retour en arrière en cours",
      FAILED: "échouée", CANCELLING: "annulation en cours", CANCELLED: "annulée",
      STUCK: "en attente d’un opérateur",
    },
    role: { agent: "agent", agency_manager: "responsable d’agence", hotel_manager: "responsable d’hôtel", operator: "opérateur" },
    step: { hold_room: "le blocage de la chambre", verify_client: "la vérification du client", write_reservation: "l’enregistrement de la réservation" },
  },
};
VALUE_NAMES.en.state = VALUE_NAMES.en.status;
VALUE_NAMES.fr.state = VALUE_NAMES.fr.status;

const LOCALES = { en: "en-GB", fr: "fr-FR" };
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function texts(lang) {
  return PROBLEM_TEXTS[lang] || PROBLEM_TEXTS.en;
}

function duration(seconds, lang) {
  const minutes = Math.ceil(seconds / 60);
  const [value, unit] = seconds < 60 ? [Math.max(1, Math.ceil(seconds)), "second"] : [minutes, "minute"];
  return new Intl.NumberFormat(LOCALES[lang] || LOCALES.en, { style: "unit", unit, unitDisplay: "long" }).format(value);
}

// One value as the reader's language writes it: a date or an instant per locale (an instant in
// the zone `params.time_zone` names, said beside it), an amount in `params.currency`, a number
// with its separators, a list as a list, a known name translated.
function shown(name, value, lang, params = {}) {
  const locale = LOCALES[lang] || LOCALES.en;
  if (Array.isArray(value)) {
    const items = value.map((item) => shown(name === "fields" ? "field" : name, item, lang, params));
    return new Intl.ListFormat(locale, { type: "conjunction" }).format(items);
  }
  if (name === "amount" && value !== null && value !== undefined && params.currency) {
    try {
      return new Intl.NumberFormat(locale, { style: "currency", currency: params.currency }).format(Number(value));
    } catch {
      return `${value} ${params.currency}`;
    }
  }
  if (name === "amount" && (value === null || value === undefined)) return "—";
  if (name === "seconds" && typeof value === "number") return duration(value, lang);
  if (name === "field") return fieldName(String(value), lang);
  const names = (VALUE_NAMES[lang] || VALUE_NAMES.en)[name];
  if (names && Object.hasOwn(names, value)) return names[value];
  if (typeof value === "number") return new Intl.NumberFormat(locale).format(value);
  if (typeof value === "string" && ISO_DATE.test(value)) {
    return new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }).format(new Date(`${value}T00:00:00Z`));
  }
  if (typeof value === "string" && ISO_INSTANT.test(value)) {
    const offset = value.endsWith("Z") ? "+00:00" : value.slice(-6);
    const zone = typeof params.time_zone === "string" ? params.time_zone : null;
    // Without a zone, the wall time at the instant's own offset: shifted, then read as UTC.
    const [hours, minutes] = offset.slice(1).split(":").map(Number);
    const shift = (offset[0] === "-" ? -1 : 1) * (hours * 60 + minutes) * 60000;
    const at = zone ? new Date(value) : new Date(Date.parse(value) + shift);
    try {
      const text = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: "short", timeZone: zone || "UTC" }).format(at);
      return `${text} (${zone ? `${zone}, ` : ""}UTC${offset})`;
    } catch {
      return value;
    }
  }
  return String(value ?? "");
}

function fill(template, params, lang) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? shown(name, params[name], lang, params) : whole));
}

// The name of a field, from the last part of its `loc` (a list's index names no field).
export function fieldName(part, lang) {
  const names = FIELD_NAMES[lang] || FIELD_NAMES.en;
  if (Object.hasOwn(names, part)) return names[part];
  return FIELD_NAMES.en[part] || String(part).replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

function capitalised(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// One invalid field (an item of a 422's list) as a sentence: "Arrival: 1 December 2026 has passed…".
export function invalidFieldText(item, lang) {
  const all = texts(lang);
  const ctx = item.ctx && typeof item.ctx === "object" ? item.ctx : {};
  let type = item.type;
  if (type === "string_too_short" && Number(ctx.min_length) === 1) type = "missing";
  const known = typeof type === "string" && Object.hasOwn(all, type);
  const problem = known ? fill(all[type], ctx, lang) : String(item.msg ?? "").replace(/^Value error, /, "");
  const where = (item.loc || []).filter((part) => typeof part === "string" && !["body", "query", "path", "header"].includes(part));
  if (!where.length) return capitalised(problem.endsWith(".") ? problem : `${problem}.`);
  const colon = lang === "fr" ? "\u00a0:" : ":";
  return `${fieldName(where[where.length - 1], lang)}${colon} ${problem}`;
}

// The sentence for an error body, or a booking's failure, in `lang` ("en" or "fr").
export function problemText(body, lang) {
  const all = texts(lang);
  if (body && typeof body.code === "string" && Object.hasOwn(all, body.code)) {
    const params = { ...(body.params || {}) };
    // A booking's failure in its history: the failure's own text, from its code and values.
    if (typeof params.reason_code === "string" && !("reason" in params)) {
      const { reason_code: code, ...values } = params;
      const reason = problemText({ code, params: values, detail: values.detail ?? "" }, lang);
      // After a colon French goes on in lower case ("Échec : une partie…").
      params.reason = lang === "fr" ? reason.charAt(0).toLowerCase() + reason.slice(1) : reason;
    }
    return fill(all[body.code], params, lang);
  }
  const detail = body && typeof body === "object" && "detail" in body ? body.detail : body;
  if (Array.isArray(detail) && detail.every((item) => item && typeof item === "object")) {
    return detail.map((item) => invalidFieldText(item, lang)).join(" ");
  }
  return readableDetail(detail);
}

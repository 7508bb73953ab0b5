// Package behavior records user-behaviour events (page views, product
// views, searches, cart changes, checkouts, purchases, identifies and
// events of the caller's own) to OpenObserve's user-behavior stream, and
// keeps funnels, conversion rates and active-user counts over them.
//
// The entry point is [NewTracker], given the service's shared
// *o2kit.Client; the tracker lives as long as the client and needs no
// shutdown of its own (shut the client down to flush). [NewSessions] wraps
// an http.Handler so that every request carries an anonymous id, a
// session id and the [Visitor]'s request context:
//
//	tracker, err := behavior.NewTracker(client, behavior.WithFunnels(behavior.Funnel{
//		Name: "checkout", Steps: []string{"product_view", "cart_add", "checkout_started", "purchase"},
//	}))
//	sessions, err := behavior.NewSessions(tracker, behavior.WithUser(currentUser))
//	http.ListenAndServe(addr, sessions.Middleware(mux))
//	// in a handler:
//	err = tracker.CartAdd(r.Context(), behavior.CartChange{Product: p, Quantity: 1})
//
// # Events
//
// Each event is one record with the field event (its name), event_id (a
// UUIDv7, the idempotency key: two records with the same event_id are the
// same event), the ids in the context (user_id, session_id, request_id,
// tenant_id, and trace_id and span_id of the OpenTelemetry span), and the
// visitor's anonymous_id, user_agent, locale and ip. The client adds its
// own o2kit_id to every record it sends (see o2kit.WithIDField); that id
// is the transport's, new on every call, while event_id belongs to the
// event and may be given by the caller ([Meta]) to resend an event as the
// same one. Amounts are integers in minor units (cents) with an ISO 4217
// currency code.
//
// The typed events add these fields (testdata/*.json holds one stored
// record of each):
//
//	page_view         page_url, page_path, page_title, page_referrer, utm_source, utm_medium,
//	                  utm_campaign, utm_term, utm_content, utm_id
//	product_view      product_id, product_sku, product_name, product_category, price_minor, currency
//	search            search_query, search_results, search_filters (a JSON object), search_page
//	cart_add          cart_id, the product fields, quantity, value_minor (price × quantity);
//	cart_remove       the same
//	checkout_started  cart_id, value_minor, currency, item_count, items (a JSON array)
//	purchase          order_id, cart_id, revenue_minor, currency, item_count, items
//	identify          traits_<key> for each trait
//
// Empty strings are left out.
//
// An event that breaks a rule (an empty name, a quantity below 1, an
// unknown currency) is not recorded; the method returns an [*EventError],
// which matches [ErrInvalidEvent].
//
// # Privacy
//
// By default no raw IP address and no e-mail address leaves the process.
// The visitor's IP address is anonymised (IPv4 /24, IPv6 /48), and so is
// any property or trait value that is an IP address and nothing else
// ("203.0.113.7", a netip.Addr); [WithIPMode] changes both. E-mail
// addresses, plain or URL-encoded, are replaced with [RedactedEmail]
// wherever they appear: in the ids from the context, the visitor's fields,
// page URLs, property and trait values and keys, inside groups, LogValuers
// and values of kind Any (seen in their JSON form, as the client sends
// them); an event name holding one is refused ([WithEmails] allows them).
// Error texts hide addresses too. Addresses inside longer free text are
// not looked for, except e-mail addresses.
// Events are not recorded for a request marked with [WithoutTracking], for
// users a [Consent] refuses, and, with [WithDoNotTrack], for browsers that
// send DNT or Global Privacy Control signals.
//
// # Funnels and rates
//
// [Funnel] defines an ordered funnel. The tracker follows each funnel
// in-process with bounded memory and reports it with [Tracker.Funnel];
// [Tracker.FunnelReport] computes the same funnel by SQL over the stored
// events of a time range. The two differ by design: in-process counts are
// runs since the tracker started (a session entering again after the
// funnel's window counts again), the server counts each session once per
// range; [Funnel] sets out all the differences. [Tracker.ActiveUsers] counts distinct users with
// a HyperLogLog sketch, and [Tracker.CartAbandonmentRate] and
// [Tracker.SearchToPurchaseRate] follow two built-in funnels.
// [Tracker.Snapshot] gives all of these as plain values for metrics and
// alerts.
package behavior

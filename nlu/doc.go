// Package nlu is a local, deterministic stand-in for Dialogflow CX's
// natural-language understanding, for the offline emulator: it matches
// an utterance to one of the intents in scope and extracts parameters
// from it, without Google's model. It is for tests and conversations on
// a developer's machine; the deployable function does not import it.
//
// It will never equal CX's model. It is deterministic (the same input
// gives the same result on every run and machine: no randomness, no
// dependence on map order, no clock but the one passed in), it says what
// it could not do instead of guessing, and its agreement with CX is
// measured: TestAccuracy replays the flight agent's recorded turns (go
// test -run TestAccuracy -v prints the figures and every miss).
//
// # Use
//
// Prepare indexes an agent's intents and entity types (Config, built
// from an export by the caller). Model.Scope names the intents the
// routes in scope allow. Model.Classify matches one utterance;
// Model.FillForm reads form parameters; Model.Understand does both for
// one turn and decides between them; Model.Extract reads one value of a
// type.
//
// # Intent matching
//
//   - An utterance equal to a training phrase, up to case, punctuation
//     and spacing, matches its intent with confidence 1.
//   - Otherwise each training phrase sharing a word or an entity type
//     with the utterance gets a weighted Dice similarity: twice the
//     weight the two share over the weight of both. A word weighs more
//     when fewer intents use it (inverse document frequency over the
//     intents), so "refundable" counts and "I" hardly does; a word no
//     intent uses weighs half as much as the rarest.
//   - Spell correction, when the agent enables it (Config.SpellCorrection):
//     a word of four letters or more that no phrase uses matches a word of
//     the phrases one edit away (two from eight letters), counted by its
//     similarity. Plurals are reduced to singulars on both sides.
//   - Entity slots: an annotated part of a phrase ("[Denver|airport]")
//     matches any value of its entity type in the utterance, so
//     "Seattle" fills the slot of "Denver"; a value other than the
//     phrase's example counts 0.8 of a match, so "round trip" prefers
//     the phrase "round trip" to the slot of "[one way]".
//   - An intent scores its best phrase. The best intent matches if it
//     scores at least the flow's classificationThreshold (0 means 0.3)
//     and is not a negative intent (IsFallback: CX's "Default Negative
//     Intent", in every scope); else no match, and the runtime raises
//     sys.no-match-*. Ties go to the intent with more phrases near the
//     utterance; within 0.05 of the best, a higher priority wins; a
//     negative priority is never matched.
//   - The parameters come from the slots of the best phrase, resolved
//     through entity extraction. A slot whose text stands in the
//     utterance but is not a value of its type is listed in
//     Result.Unresolved, never filled with a guess.
//
// The scores are not CX's confidences: the threshold is compared with a
// similarity, which in the measured turns separates matches from
// non-matches at about the same place, but not everywhere.
//
// # Entity extraction
//
// Custom types: KIND_MAP gives the entry's value for any of its
// synonyms, the value kept exactly as exported (tabs included); among
// entries sharing a synonym, the one written closest to the input wins.
// KIND_LIST gives the entry. KIND_REGEXP gives the text matched (RE2).
// An entry whose synonym is "@type" or "@type:alias" matches what that
// type extracts; a map gives its own value, a list the referenced value
// (under the alias, if any). Excluded phrases block any value inside
// them. Fuzzy extraction, where a type enables it and only for the
// parameter being filled, takes the entry whose synonym's distinctive
// words the utterance holds (misspellings allowed) for at least half of
// the synonym's weight. A synonym that is a code in capitals ("SFO",
// "JAN") matches only text in capitals or an utterance of that one word.
// Automatic expansion is not reproduced (Model.Warnings says so).
//
// System types, resolved against the session's clock in the agent's
// time zone, in the shapes Dialogflow sends: @sys.number (float64),
// -integer, -sequence (a string of digits); @sys.date
// ({"year","month","day"}), @sys.time ({"hours","minutes","seconds",
// "nanos"}), @sys.date-time (both), @sys.duration ({"amount","unit"});
// @sys.email, @sys.phone-number, @sys.zip-code, @sys.url (strings);
// @sys.any (the whole utterance); @sys.person ({"name"}),
// @sys.unit-currency ({"amount","currency"}); @sys.geo-city, -country,
// -state, from small built-in lists; @sys.address, by a heuristic (a
// house number and a street word). SystemEntityTypes lists them. Any
// other system type is Unsupported: Extract and FillForm report it, and
// the caller injects the value.
//
// # Limits
//
// Written down here because CX does not document them, or because this
// package does not reproduce them:
//   - No model: paraphrases that share no words with a training phrase
//     ("flight info" for "book a flight") are missed, and phrases that
//     share words but not meaning can match.
//   - English only. No auto-expansion, no date or time periods ("next
//     week", "this afternoon"), no @sys.location, no geocoding, a few
//     hundred places only.
//   - Dates without a year are the next such day, today included;
//     weekdays are the next such day; "next Monday" is the same as
//     "Monday"; numeric dates are month first. A time needs am/pm, a
//     colon, "o'clock", "noon" or "midnight".
//   - The shapes of @sys.duration, @sys.person and @sys.unit-currency
//     are Dialogflow ES's; CX's are assumed the same. @sys.date-time is
//     given as one object, never as a period.
//   - Understand's choice between an intent and the prompted form
//     parameter is a stated policy (see Understand), not CX's.
//   - Input past 1,024 bytes is ignored (CX raises sys.long-utterance
//     past 256 characters).
package nlu

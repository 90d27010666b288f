// Package expr is the Dialogflow CX condition and expression language, as
// the offline emulator runs it: conditions of routes and conditional
// responses, parameter presets and their targets, message texts with
// parameter references and inline system functions, and the system
// functions themselves.
//
// Parse once and evaluate many times: [ParseCond], [ParseTemplate],
// [ParsePreset], [ParseTarget] and [ParseExpr] return immutable values
// that evaluate against a [Context] without parsing again, and a typical
// pre-parsed condition evaluates without allocating. The package uses
// only the standard library; the deployable function does not import it.
//
// Sources are cited as in ../shared/CXRUNTIME.md: [COND] is CX's
// conditions reference, [SYSFUNC] its system functions reference,
// [SYSFUNC-3P] a third-party summary of the latter, [obs] what the shared
// agents and their test cases show.
//
// # Conditions
//
//	condition  = or
//	or         = and { "OR" and }
//	and        = not { "AND" not }
//	not        = "NOT" not | "(" or ")" | comparison
//	comparison = value [ ( "=" | "!=" | "<" | "<=" | ">" | ">=" | ":" ) value ]
//	value      = reference | call | "quoted string" | 'quoted string'
//	           | "[" [ value { "," value } ] "]" | word
//	call       = "$sys.func." NAME "(" [ value { "," value } ] ")"
//
// A word is a run of characters up to a space, a parenthesis, a bracket,
// a comma, a quote or an operator: a number (-3, 2.5, 1e3) when it reads
// as one, true, false or null, and otherwise an unquoted string
// (FINAL, N/A, administrative_area_level_1), as the exports write them.
// In quoted strings and words a backslash escapes the next character
// (\, \" \\), except before a letter or digit, where it is kept. A
// quoted string that holds references is a [Template]. An empty
// condition is true.
//
// References are $session.params.NAME, $page.params.NAME (and
// $page.params.status, $page.params.NAME.status), $flow.NAME,
// $intent.params.NAME (.original, .resolved) and $request.NAME (such as
// $request.user-utterance, $request.language, $request.generative.X);
// each may go on with .field and [index] steps. Names hold letters,
// digits, '_' and '-'. What a reference resolves to is the [Env]'s
// business; [MapEnv] implements CX's rules over JSON maps.
//
// Comparisons follow [COND]: the right side is cast to the type of the
// left side; ':' is a substring search on strings and '=' on anything
// else; '<', '<=', '>', '>=' compare numbers by value and strings
// lexicographically (so "900" > 1000 when the parameter holds the string
// "900"). Strings compare case-sensitively. null equals only null, and an
// unset reference is null in a condition. A value standing alone is a
// condition when it is a bool (true, a bool parameter, CONTAIN(…)).
//
// # Templates and presets
//
// In a message text ([Template.Render]) each reference is replaced by its
// value's text ([Value.Text]) and each inline $sys.func call by its
// result's text; an unset or null reference stays as written
// ("$session.params.flight_number_A" in the flight agent's goldens [obs]);
// "$75" and other dollars that start no reference stay text. @sys.date
// values render as 2022-01-05 and @sys.time values as 15:00:00 [obs];
// integral numbers without a decimal point (3.0 as 3).
//
// A preset value ([Preset]) or a quoted string inside an expression that
// is exactly one reference or one call keeps its value's type (a list, a
// number); any other string renders as a message text does. Objects and
// lists in preset values are evaluated member by member. A preset's
// parameter is a [Target]; $sys.func.NESTED_FIELD("$session.params.p",
// "field") names a field, which [SetPath] sets.
//
// # System functions
//
// Every function CXRUNTIME.md §1.11 lists is implemented ([Functions]):
//
//	ADD(n, …)  MINUS(a, b)  MULTIPLY(n, …)     sum, difference, product
//	DIVIDE(a, b[, scale])    a/b rounded half up to scale places (3 by default); b = 0 is an error
//	ROUND(x[, places])       x rounded half up to places (0 by default)
//	CONCATENATE(s, …)        the texts joined; null adds nothing
//	SUBSTITUTE(s, old, new)  every old replaced (plain text)
//	SPLIT(s, delim)          the list of parts (plain text)
//	JOIN(delim, list[, last]) the texts joined, last before the last one; null list: null
//	UPPER(s)  LOWER(s)       case changed; null: null
//	LEN(s)                   characters of s, elements of a list; null: 0
//	MID(s, start, len)       len characters from start, counted from 1
//	URL_ENCODE(s)            encoded for a URL query ("a b" as "a+b")
//	APPEND(list, v, …)       a new list with the values (a list value adds its elements); null list: empty
//	REMOVE(list, v, …)       a new list without elements equal to a value (a list value names each element)
//	UNIQUE(list)             first occurrences, in order
//	COUNT(list)              number of elements; null: 0; a single value: 1
//	GET(list, i)             element i, counted from 0; out of range: null
//	CONTAIN(list, v)         whether an element equals v (a substring test on a string); null: false
//	MATCH(list, v)           index of the first element equal to v, or -1
//	NOW()                    the clock's time as {year, month, day, hours, minutes, seconds, nanos}
//	FORMAT_DATE(d, pattern[, language])  d formatted with java.time pattern letters
//	ADD_DATE(d, n, unit)     n YEARS, MONTHS, WEEKS, DAYS, HOURS, MINUTES or SECONDS added
//	IS_PAST_DATE(d)  IS_FUTURE_DATE(d)  before or after today (a date) or now (a date-time)
//	IS_DATE(s, pattern[, language])      whether s is a valid date in pattern
//	IF(condition, then, else) then or else; only the branch taken is evaluated
//	TO_TEXT(v)               v's text, as a message shows it; null: null
//	TO_NUMBER(v)             a number from a number or numeric text; null: null
//	TO_OBJECT(s)             the value of the JSON text s
//	TO_PHONE_NUMBER(s[, region])  {country_code, national_number, e164}, or null
//	IS_PHONE_NUMBER(s[, region])  whether s is a phone number
//	IS_CREDIT_CARD_NUMBER(s) 13 to 19 digits passing the Luhn check
//	RAND()  rand()           a number in [0, 1) from Context.Rand
//	IDENTITY(v)              v, with its type
//	GET_FIELD(obj, key)      the field, or null
//	NESTED_FIELD(obj, f, …)  the nested field, or null; as a preset target, see [ParseTarget]
//	FILTER(v, jsonpath)      selected with a JsonPath, see [JSONPath]
//
// Names are upper case,
// and rand is RAND's legacy name [SYSFUNC]; any other name, and a wrong
// number of arguments, is a parse error naming the function. IF evaluates
// only the branch it takes, and its first argument, a quoted condition in
// CX's documented form, is parsed with the rest. RAND reads
// [Context.Rand] and the date functions [Context.Now] in
// [Context.Location]: the emulator stays deterministic, and without them
// the functions fail with [ErrNoRand] and [ErrNoClock].
//
// # Errors
//
// A source that does not parse is a [*ParseError] with its line and
// column. An evaluation that fails (a division by zero, an argument of
// the wrong type) returns an [*EvalError] naming the function and its
// position: a condition is then false, a message text keeps the failed
// call as written (and the error is returned beside the text), a preset
// is an error the runtime should not apply.
//
// # Undocumented choices
//
// Where CX does not document its behaviour this package decides, and
// reports each decision a result depends on as a [Note] to
// [Context.Note] (or, for parsing, in Notes of the parsed value), so that
// a trace can say which turns depend on it. [Policies] lists them; in
// short:
//
//   - and-or-precedence: AND binds tighter than OR (Google's AIP-160
//     filters bind OR tighter; none of the shared agents mixes them
//     without parentheses).
//   - keyword-case: AND, OR, NOT, true, false, null in any case.
//   - single-quotes: 'strings' like "strings".
//   - cast-failed: when the right side cannot be cast to the left side's
//     type, = is false, != true, ordering false.
//   - null-ordering: <, <=, >, >= with null are false.
//   - list-compare: a list = a single value when an element equals it.
//   - kind-ordering: bools, lists and structs are not ordered.
//   - truthiness: a non-bool value as a condition is false, except the
//     string "true".
//   - unresolved-single: a preset or quoted string that is one unset
//     reference is null.
//   - null-argument: each function's rule for null (COUNT(null) = 0,
//     JOIN of null = null, LEN(null) = 0, CONCATENATE skips null,
//     string functions give null).
//   - numeric-string: "3" where a number is wanted is 3.
//   - struct-text, list-text: how structs other than dates and times,
//     and lists, render as text.
//   - function-text: a failed inline function stays in the text.
//   - dynamic-condition: IF with a computed string parses it as a
//     condition.
//   - date-language: dates format in English only.
//   - phone-number: phone numbers are checked by length and calling code.
//
// Other choices, stated where the code makes them: DIVIDE rounds to 3
// decimal places unless told (from [SYSFUNC-3P]); ROUND and DIVIDE round
// halves away from zero on the decimal form; SUBSTITUTE and SPLIT take
// plain text, not patterns; APPEND and REMOVE add or remove a list
// argument's elements; MID counts from 1 and GET and MATCH from 0; NOW
// returns a date-time struct; ADD_DATE clamps days as java.time does;
// FORMAT_DATE and IS_DATE take java.time pattern letters (see lexPattern);
// FILTER follows Jayway JsonPath ([JSONPath]); TO_PHONE_NUMBER returns
// {country_code, national_number, e164}; parameter and field names
// match exactly first and then case-insensitively.
package expr

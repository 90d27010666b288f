package expr

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestFunctions evaluates each system function on documented examples
// (the third-party summary CXRUNTIME.md §1.11 lists) and on the edge
// cases this package decides; want is the result as JSON, or "error: …"
// for a failure containing that text.
func TestFunctions(t *testing.T) {
	tests := []struct{ expr, want string }{
		// Arithmetic.
		{`$sys.func.ADD(1, 2)`, `3`},
		{`$sys.func.ADD(5, 10, 0.5)`, `15.5`},
		{`$sys.func.ADD($flow.playback_counter,1)`, `3`},
		{`$sys.func.ADD($session.params.miles_text, 1)`, `55001`},
		{`$sys.func.ADD($flow.unset, 1)`, `error: argument 1: want a number, got null`},
		{`$sys.func.ADD(true, 1)`, `error: want a number, got a bool`},
		{`$sys.func.MINUS(10, 4)`, `6`},
		{`$sys.func.ADD($sys.func.MINUS(2, 1), 3)`, `4`},
		{`$sys.func.MULTIPLY(2, 3, 4)`, `24`},
		{`$sys.func.DIVIDE(10, 4)`, `2.5`},
		{`$sys.func.DIVIDE(1, 3)`, `0.333`},
		{`$sys.func.DIVIDE(2, 3)`, `0.667`},
		{`$sys.func.DIVIDE(10, 3, 2)`, `3.33`},
		{`$sys.func.DIVIDE(10, 3, 0)`, `3`},
		{`$sys.func.DIVIDE(1, 0)`, `error: division by zero`},
		{`$sys.func.DIVIDE(1, 3, 1.5)`, `error: want a whole number`},
		{`$sys.func.DIVIDE(1, 3, 16)`, `error: want a scale from 0 to 15`},
		{`$sys.func.ROUND(10.5678, 2)`, `10.57`},
		{`$sys.func.ROUND(2.5)`, `3`},
		{`$sys.func.ROUND(-2.5)`, `-3`},
		{`$sys.func.ROUND(1.005, 2)`, `1.01`},
		{`$sys.func.ROUND(9.999, 2)`, `10`},
		{`$sys.func.ROUND(3.14159)`, `3`},
		{`$sys.func.ROUND(3, 2)`, `3`},
		// Strings.
		{`$sys.func.CONCATENATE("Hello, ", "world!")`, `"Hello, world!"`},
		{`$sys.func.CONCATENATE($session.params.miles, " miles", $flow.unset)`, `"55000 miles"`},
		{`$sys.func.CONCATENATE($sys.func.TO_TEXT(12), " ", "$flow.country", " ", "$flow.unset")`, `"12 N/A "`},
		{`$sys.func.CONCATENATE("a", $session.params.codes)`, `"aSFO, LAX"`},
		{`$sys.func.SUBSTITUTE("I like cats", "cats", "dogs")`, `"I like dogs"`},
		{`$sys.func.SUBSTITUTE("a.b.c", ".", "")`, `"abc"`},
		{`$sys.func.SUBSTITUTE("abc", "", "x")`, `"abc"`},
		{`$sys.func.SUBSTITUTE($flow.unset, "a", "b")`, `null`},
		{`$sys.func.SPLIT("apple,banana,cherry", ",")`, `["apple","banana","cherry"]`},
		{`$sys.func.SPLIT("a/b/c", "/")`, `["a","b","c"]`},
		{`$sys.func.SPLIT($flow.unset, ",")`, `null`},
		{`$sys.func.JOIN(", ", ["Alice", "Bob", "Charlie"], ", and ")`, `"Alice, Bob, and Charlie"`},
		{`$sys.func.JOIN(", ", ["Alice", "Bob"])`, `"Alice, Bob"`},
		{`$sys.func.JOIN(", ", ["Alice"], " and ")`, `"Alice"`},
		{`$sys.func.JOIN("-", [1, 2.5, true])`, `"1-2.5-true"`},
		{`$sys.func.JOIN(", ", $flow.unset)`, `null`},
		{`$sys.func.JOIN(", ", "one")`, `"one"`},
		{`$sys.func.JOIN(", ", [])`, `""`},
		{`$sys.func.UPPER("hello")`, `"HELLO"`},
		{`$sys.func.LOWER("HELLO")`, `"hello"`},
		{`$sys.func.LOWER(123)`, `"123"`},
		{`$sys.func.LOWER($flow.unset)`, `null`},
		{`$sys.func.LOWER($session.params.codes)`, `error: want text, got a list`},
		{`$sys.func.LEN("Dialogflow")`, `10`},
		{`$sys.func.LEN("größe")`, `5`},
		{`$sys.func.LEN($session.params.codes)`, `2`},
		{`$sys.func.LEN($flow.unset)`, `0`},
		{`$sys.func.LEN(12345)`, `5`},
		{`$sys.func.MID("Dialogflow", 2, 4)`, `"ialo"`},
		{`$sys.func.MID("google", 4, 2)`, `"gl"`},
		{`$sys.func.MID("abc", 2, 10)`, `"bc"`},
		{`$sys.func.MID("abc", 5, 1)`, `""`},
		{`$sys.func.MID("abc", 0, 1)`, `error: want a start from 1`},
		{`$sys.func.MID("abc", 1, -1)`, `error: want a length from 0`},
		{`$sys.func.URL_ENCODE("a+b=c")`, `"a%2Bb%3Dc"`},
		{`$sys.func.URL_ENCODE("new york")`, `"new+york"`},
		// Lists.
		{`$sys.func.APPEND([1, 2], 3, 4)`, `[1,2,3,4]`},
		{`$sys.func.APPEND($flow.unset, "the city is $flow.country")`, `["the city is N/A"]`},
		{`$sys.func.APPEND($flow.admin_area_webhook ,"N/A")`, `["VIC","N/A"]`},
		{`$sys.func.APPEND("one", "two")`, `["one","two"]`},
		{`$sys.func.APPEND([1], [2, 3])`, `[1,2,3]`},
		{`$sys.func.REMOVE([1, 2, 3, 2], 2)`, `[1,3]`},
		{`$sys.func.REMOVE($flow.missing_elems, ["locality"])`, `["country"]`},
		{`$sys.func.REMOVE($flow.missing_elems, "locality", "country")`, `[]`},
		{`$sys.func.REMOVE($flow.unset, 1)`, `null`},
		{`$sys.func.UNIQUE([1, 2, 2, 3, 1])`, `[1,2,3]`},
		{`$sys.func.UNIQUE($flow.unset)`, `null`},
		{`$sys.func.COUNT([1, 2, 3])`, `3`},
		{`$sys.func.COUNT([])`, `0`},
		{`$sys.func.COUNT($flow.unset)`, `0`},
		{`$sys.func.COUNT("one")`, `1`},
		{`$sys.func.GET(["a", "b", "c"], 1)`, `"b"`},
		{`$sys.func.GET(["a"], 3)`, `null`},
		{`$sys.func.GET(["a"], -1)`, `null`},
		{`$sys.func.GET($flow.unset, 0)`, `null`},
		{`$sys.func.CONTAIN([1, 2, 3], 2)`, `true`},
		{`$sys.func.CONTAIN($flow.missing_elems, "country")`, `true`},
		{`$sys.func.CONTAIN($flow.missing_elems, postal_code)`, `false`},
		{`$sys.func.CONTAIN($flow.unset, "x")`, `false`},
		{`$sys.func.CONTAIN("hello world", "wor")`, `true`},
		{`$sys.func.MATCH(["x", "y", "z"], "y")`, `1`},
		{`$sys.func.MATCH(["x"], "q")`, `-1`},
		{`$sys.func.MATCH($flow.unset, "q")`, `-1`},
		// Logic.
		{`$sys.func.IF("5 > 3", "Yes", "No")`, `"Yes"`},
		{`$sys.func.IF("$flow.country = N/A","", $flow.country)`, `""`},
		{`$sys.func.IF("$flow.retry_num = 3", $flow.admin_area_webhook, $sys.func.APPEND($flow.admin_area_webhook, "N/A"))`, `["VIC"]`},
		{`$sys.func.IF($sys.func.CONTAIN($flow.missing_elems, "locality"), null, "$flow.country")`, `null`},
		{`$sys.func.IF($sys.func.CONTAIN($flow.missing_elems, "route"), null, "$flow.country")`, `"N/A"`},
		{`$sys.func.IF("$flow.admin_area_webhook[0] != null", $flow.admin_area_webhook[0], "N/A")`, `"VIC"`},
		{`$sys.func.IF("$sys.func.LEN($flow.admin_area_webhook[0]) > 3", false, true)`, `true`},
		{`$sys.func.IF(true, 1, $sys.func.DIVIDE(1, 0))`, `1`},
		{`$sys.func.IF("true", 1, 2)`, `1`},
		{`$sys.func.IF($flow.unset, 1, 2)`, `2`},
		{`$sys.func.IF($sys.func.CONCATENATE("1 ", "<", " 2"), "y", "n")`, `"y"`},
		{`$sys.func.IF($sys.func.CONCATENATE("1 ", "<<", " 2"), "y", "n")`, `error: expected a value, found '<'`},
		// Conversion.
		{`$sys.func.TO_TEXT(123)`, `"123"`},
		{`$sys.func.TO_TEXT(3.0)`, `"3"`},
		{`$sys.func.TO_TEXT(true)`, `"true"`},
		{`$sys.func.TO_TEXT($session.params.departure_date)`, `"2022-01-05"`},
		{`$sys.func.TO_TEXT($flow.unset)`, `null`},
		{`$sys.func.TO_NUMBER("45")`, `45`},
		{`$sys.func.TO_NUMBER("-3")`, `-3`},
		{`$sys.func.TO_NUMBER(" 2.5 ")`, `2.5`},
		{`$sys.func.TO_NUMBER(7)`, `7`},
		{`$sys.func.TO_NUMBER($flow.unset)`, `null`},
		{`$sys.func.TO_NUMBER("four")`, `error: "four" is not a number`},
		{`$sys.func.TO_NUMBER(true)`, `error: cannot convert a bool`},
		{`$sys.func.TO_OBJECT("{\"name\": \"test\"}")`, `{"name":"test"}`},
		{`$sys.func.TO_OBJECT("[1,2]")`, `[1,2]`},
		{`$sys.func.TO_OBJECT("{'key':'value'}")`, `error: not JSON`},
		{`$sys.func.TO_PHONE_NUMBER("+16502065555")`, `{"country_code":"1","e164":"+16502065555","national_number":"6502065555"}`},
		{`$sys.func.TO_PHONE_NUMBER("650-206-5555", "US")`, `{"country_code":"1","e164":"+16502065555","national_number":"6502065555"}`},
		{`$sys.func.TO_PHONE_NUMBER("020 7946 0958", "GB")`, `{"country_code":"44","e164":"+442079460958","national_number":"2079460958"}`},
		{`$sys.func.TO_PHONE_NUMBER("12")`, `null`},
		{`$sys.func.IS_PHONE_NUMBER("650-206-5555", "US")`, `true`},
		{`$sys.func.IS_PHONE_NUMBER("(650) 206-5555")`, `true`},
		{`$sys.func.IS_PHONE_NUMBER("150-206-5555")`, `false`},
		{`$sys.func.IS_PHONE_NUMBER("+49 30 901820")`, `true`},
		{`$sys.func.IS_PHONE_NUMBER("+1234567890123456")`, `false`},
		{`$sys.func.IS_PHONE_NUMBER("call me")`, `false`},
		{`$sys.func.IS_PHONE_NUMBER("0301234567", "XX")`, `false`},
		{`$sys.func.IS_CREDIT_CARD_NUMBER("4111111111111111")`, `true`},
		{`$sys.func.IS_CREDIT_CARD_NUMBER("4111 1111 1111 1111")`, `true`},
		{`$sys.func.IS_CREDIT_CARD_NUMBER("4111111111111112")`, `false`},
		{`$sys.func.IS_CREDIT_CARD_NUMBER("4111")`, `false`},
		{`$sys.func.IS_CREDIT_CARD_NUMBER("4111-1111-1111-111x")`, `false`},
		// Other.
		{`$sys.func.IDENTITY($session.params.departure_date)`, `{"day":5,"month":1,"year":2022}`},
		{`$sys.func.IDENTITY($flow.unset)`, `null`},
		{`$sys.func.GET_FIELD($session.params.address, "city")`, `"Melbourne"`},
		{`$sys.func.GET_FIELD($session.params.address, "CITY")`, `"Melbourne"`},
		{`$sys.func.GET_FIELD($session.params.address, "street")`, `null`},
		{`$sys.func.GET_FIELD($flow.unset, "street")`, `null`},
		{`$sys.func.GET_FIELD("text", "street")`, `error: want a struct, got a string`},
		{`$sys.func.NESTED_FIELD("$session.params.address", "zip-code")`, `"3000"`},
		{`$sys.func.NESTED_FIELD("$session.params.caller-name", "name")`, `"Daniel Cormier"`},
		{`$sys.func.NESTED_FIELD("$session.params.address", "a", "b")`, `null`},
		{`$sys.func.FILTER("$session.params.numbers", "$[1:]")`, `[2,3]`},
		{`$sys.func.FILTER($session.params.address, "$.city")`, `"Melbourne"`},
		{`$sys.func.FILTER($session.params.address, $session.params.name)`, `error: a JsonPath starts with $`},
		{`$sys.func.FILTER($session.params.address, $flow.unset)`, `error: want a JsonPath, got null`},
	}
	for _, tt := range tests {
		e, err := ParseExpr(tt.expr)
		if err != nil {
			t.Errorf("ParseExpr(%s): %v", tt.expr, err)
			continue
		}
		ctx, _ := testContext()
		v, err := e.Eval(ctx)
		if want, ok := strings.CutPrefix(tt.want, "error: "); ok {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s = %v, %v; want an error containing %q", tt.expr, v, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.expr, err)
			continue
		}
		if got := v.String(); got != tt.want {
			t.Errorf("%s = %s, want %s", tt.expr, got, tt.want)
		}
	}
}

// TestFunctionsListed: every function CXRUNTIME.md §1.11 lists is
// implemented (NESTED_FIELD included), and no other.
func TestFunctionsListed(t *testing.T) {
	want := []string{
		"ADD", "MINUS", "MULTIPLY", "DIVIDE", "ROUND",
		"CONCATENATE", "SUBSTITUTE", "SPLIT", "JOIN", "UPPER", "LOWER", "LEN", "MID", "URL_ENCODE",
		"APPEND", "REMOVE", "UNIQUE", "COUNT", "GET", "CONTAIN", "MATCH",
		"NOW", "FORMAT_DATE", "ADD_DATE", "IS_PAST_DATE", "IS_FUTURE_DATE",
		"IF",
		"TO_TEXT", "TO_NUMBER", "TO_OBJECT", "TO_PHONE_NUMBER",
		"RAND", "IDENTITY", "GET_FIELD", "FILTER", "IS_PHONE_NUMBER", "IS_DATE", "IS_CREDIT_CARD_NUMBER",
		"NESTED_FIELD",
	}
	slices.Sort(want)
	if got := Functions(); !slices.Equal(got, want) {
		t.Errorf("Functions() = %v\nwant %v", got, want)
	}
	for _, name := range []string{"CONTAINS", "IS_NULL", "UUID", "add"} {
		if _, err := ParseExpr("$sys.func." + name + "(1)"); err == nil || !strings.Contains(err.Error(), "unknown system function $sys.func."+name) {
			t.Errorf("$sys.func.%s: %v, want an error naming it", name, err)
		}
	}
}

func TestDateFunctions(t *testing.T) {
	// 2020-12-02 04:29:17.545905 UTC is 2020-12-01 20:29:17 in Los Angeles.
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	tests := []struct {
		expr string
		loc  *time.Location
		want string
	}{
		{`$sys.func.NOW()`, time.UTC, `{"day":2,"hours":4,"minutes":29,"month":12,"nanos":545905000,"seconds":17,"year":2020}`},
		{`$sys.func.NOW()`, la, `{"day":1,"hours":20,"minutes":29,"month":12,"nanos":545905000,"seconds":17,"year":2020}`},
		{`$sys.func.FORMAT_DATE($sys.func.NOW(), "yyyy-MM-dd HH:mm:ss")`, la, `"2020-12-01 20:29:17"`},
		{`$sys.func.FORMAT_DATE($session.params.departure_date, "yyyy-MM-dd")`, time.UTC, `"2022-01-05"`},
		{`$sys.func.FORMAT_DATE($session.params.departure_date, "EEEE, MMMM d, yy")`, time.UTC, `"Wednesday, January 5, 22"`},
		{`$sys.func.FORMAT_DATE($session.params.departure_date, "EEE MMM dd uuuu", "en-US")`, time.UTC, `"Wed Jan 05 2022"`},
		{`$sys.func.FORMAT_DATE($session.params.departure_date, "D 'day of' yyyy, MMMMM, ''")`, time.UTC, `"5 day of 2022, J, '"`},
		{`$sys.func.FORMAT_DATE($session.params.departure_time, "h:mm a")`, time.UTC, `"3:00 PM"`},
		{`$sys.func.FORMAT_DATE($session.params.departure_time, "HH:mm:ss.SSS k K")`, time.UTC, `"15:00:00.000 15 3"`},
		{`$sys.func.FORMAT_DATE("2021-03-05T08:07:06Z", "d/M/y H:m:s")`, time.UTC, `"5/3/2021 8:7:6"`},
		{`$sys.func.FORMAT_DATE("2021-03-05", "yyyy")`, time.UTC, `"2021"`},
		{`$sys.func.FORMAT_DATE($session.params.departure_date, "zzz")`, time.UTC, `error: pattern letter 'z' is not supported`},
		{`$sys.func.FORMAT_DATE($session.params.departure_date, "'open")`, time.UTC, `error: quote not closed`},
		{`$sys.func.FORMAT_DATE($session.params.name, "yyyy")`, time.UTC, `error: "Jane Doe" is not an ISO 8601 date`},
		{`$sys.func.FORMAT_DATE($session.params.address, "yyyy")`, time.UTC, `error: want a date {year, month, day}`},
		{`$sys.func.FORMAT_DATE($flow.unset, "yyyy")`, time.UTC, `error: got null`},
		{`$sys.func.ADD_DATE($session.params.departure_date, 7, "DAYS")`, time.UTC, `{"day":12,"month":1,"year":2022}`},
		{`$sys.func.ADD_DATE($session.params.departure_date, -1, "MONTHS")`, time.UTC, `{"day":5,"month":12,"year":2021}`},
		{`$sys.func.ADD_DATE("2021-01-31", 1, "MONTH")`, time.UTC, `{"day":28,"month":2,"year":2021}`},
		{`$sys.func.ADD_DATE($session.params.departure_date, 2, "weeks")`, time.UTC, `{"day":19,"month":1,"year":2022}`},
		{`$sys.func.ADD_DATE($session.params.departure_date, 1, "YEARS")`, time.UTC, `{"day":5,"month":1,"year":2023}`},
		{`$sys.func.ADD_DATE($session.params.departure_date, 3, "HOURS")`, time.UTC, `{"day":5,"hours":3,"minutes":0,"month":1,"nanos":0,"seconds":0,"year":2022}`},
		{`$sys.func.ADD_DATE($session.params.departure_time, 90, "MINUTES")`, time.UTC, `{"hours":16,"minutes":30,"nanos":0,"seconds":0}`},
		{`$sys.func.ADD_DATE($session.params.departure_time, 5, "SECONDS")`, time.UTC, `{"hours":15,"minutes":0,"nanos":0,"seconds":5}`},
		{`$sys.func.ADD_DATE($session.params.departure_date, 1, "FORTNIGHTS")`, time.UTC, `error: unknown unit`},
		{`$sys.func.IS_FUTURE_DATE($session.params.departure_date)`, time.UTC, `true`},
		{`$sys.func.IS_PAST_DATE($session.params.departure_date)`, time.UTC, `false`},
		{`$sys.func.IS_PAST_DATE("2020-12-01")`, time.UTC, `true`},
		{`$sys.func.IS_PAST_DATE("2020-12-02")`, time.UTC, `false`},
		{`$sys.func.IS_FUTURE_DATE("2020-12-02")`, time.UTC, `false`},
		{`$sys.func.IS_PAST_DATE("2020-12-01")`, la, `false`}, // it is still Dec 1 in Los Angeles
		{`$sys.func.IS_PAST_DATE("2020-12-02T04:29:00Z")`, time.UTC, `true`},
		{`$sys.func.IS_FUTURE_DATE($session.params.departure_time)`, time.UTC, `true`},
		{`$sys.func.IS_DATE("2021-04-29", "yyyy-MM-dd")`, time.UTC, `true`},
		{`$sys.func.IS_DATE("2021-04-29", "uuuu-MM-dd")`, time.UTC, `true`},
		{`$sys.func.IS_DATE("21 Apr 29", "uu MMM dd", "en")`, time.UTC, `true`},
		{`$sys.func.IS_DATE("2021-02-29", "yyyy-MM-dd")`, time.UTC, `false`},
		{`$sys.func.IS_DATE("2024-02-29", "yyyy-MM-dd")`, time.UTC, `true`},
		{`$sys.func.IS_DATE("2021-4-29", "yyyy-MM-dd")`, time.UTC, `false`},
		{`$sys.func.IS_DATE("2021-4-9", "y-M-d")`, time.UTC, `true`},
		{`$sys.func.IS_DATE("April 9, 2021", "MMMM d, yyyy")`, time.UTC, `true`},
		{`$sys.func.IS_DATE("Friday 9:30 pm", "EEEE h:mm a")`, time.UTC, `true`},
		{`$sys.func.IS_DATE("13:30 pm", "h:mm a")`, time.UTC, `false`},
		{`$sys.func.IS_DATE("2021-04-29 extra", "yyyy-MM-dd")`, time.UTC, `false`},
		{`$sys.func.IS_DATE($flow.unset, "yyyy")`, time.UTC, `false`},
	}
	for _, tt := range tests {
		e, err := ParseExpr(tt.expr)
		if err != nil {
			t.Errorf("ParseExpr(%s): %v", tt.expr, err)
			continue
		}
		ctx, _ := testContext()
		ctx.Location = tt.loc
		v, err := e.Eval(ctx)
		if want, ok := strings.CutPrefix(tt.want, "error"); ok {
			want = strings.TrimPrefix(want, ": ")
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s = %v, %v; want an error containing %q", tt.expr, v, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.expr, err)
			continue
		}
		if got := v.String(); got != tt.want {
			t.Errorf("%s = %s, want %s", tt.expr, got, tt.want)
		}
	}
}

// TestAddMonthsClamps: adding months keeps the day within the month, as
// java.time does.
func TestAddMonthsClamps(t *testing.T) {
	tests := []struct {
		from, want string
		months     int
	}{
		{"2021-01-31", "2021-02-28", 1},
		{"2024-01-31", "2024-02-29", 1},
		{"2021-03-31", "2020-11-30", -4},
		{"2021-12-15", "2023-01-15", 13},
		{"2021-01-15", "2020-01-15", -12},
	}
	for _, tt := range tests {
		from, _ := time.Parse("2006-01-02", tt.from)
		if got := addMonths(from, tt.months).Format("2006-01-02"); got != tt.want {
			t.Errorf("addMonths(%s, %d) = %s, want %s", tt.from, tt.months, got, tt.want)
		}
	}
}

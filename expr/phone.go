package expr

import (
	"strings"
)

// Phone numbers. CX's TO_PHONE_NUMBER and IS_PHONE_NUMBER use Google's
// libphonenumber; this package does not carry its numbering plans
// (PolicyPhoneNumber). It accepts a number in international form
// (+ and a country calling code) or in the national form of a region
// (US when none is given), checks the length the ITU allows (at most 15
// digits), and for the North American plan (+1) the area code and
// exchange rules.

// regionCodes maps the regions accepted for national numbers to their
// calling codes.
var regionCodes = map[string]string{
	"US": "1", "CA": "1", "GB": "44", "IE": "353", "DE": "49", "FR": "33", "ES": "34", "IT": "39",
	"NL": "31", "BE": "32", "CH": "41", "AT": "43", "SE": "46", "NO": "47", "DK": "45", "FI": "358",
	"PL": "48", "PT": "351", "AU": "61", "NZ": "64", "IN": "91", "JP": "81", "KR": "82", "CN": "86",
	"SG": "65", "BR": "55", "MX": "52", "AR": "54", "ZA": "27", "IL": "972", "TR": "90", "RU": "7",
}

// oneTwoDigitCodes are the country calling codes of one and two digits;
// every other code has three.
var oneTwoDigitCodes = map[string]bool{
	"1": true, "7": true, "20": true, "27": true, "30": true, "31": true, "32": true, "33": true, "34": true,
	"36": true, "39": true, "40": true, "41": true, "43": true, "44": true, "45": true, "46": true, "47": true,
	"48": true, "49": true, "51": true, "52": true, "53": true, "54": true, "55": true, "56": true, "57": true,
	"58": true, "60": true, "61": true, "62": true, "63": true, "64": true, "65": true, "66": true, "81": true,
	"82": true, "84": true, "86": true, "90": true, "91": true, "92": true, "93": true, "94": true, "95": true,
	"98": true,
}

type phone struct {
	countryCode string
	national    string
}

// parsePhone reads a phone number; region applies to a number without +.
func parsePhone(s, region string) (phone, bool) {
	var b strings.Builder
	plus := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == '+' && b.Len() == 0 && !plus:
			plus = true
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return phone{}, false
		}
	}
	d := b.String()
	var ph phone
	if plus {
		switch {
		case len(d) >= 1 && oneTwoDigitCodes[d[:1]]:
			ph = phone{d[:1], d[1:]}
		case len(d) >= 2 && oneTwoDigitCodes[d[:2]]:
			ph = phone{d[:2], d[2:]}
		case len(d) >= 3:
			ph = phone{d[:3], d[3:]}
		default:
			return phone{}, false
		}
	} else {
		if region == "" {
			region = "US"
		}
		code, ok := regionCodes[strings.ToUpper(region)]
		if !ok {
			return phone{}, false
		}
		if code == "1" && len(d) == 11 && d[0] == '1' {
			d = d[1:]
		} else if code != "1" {
			d = strings.TrimPrefix(d, "0") // trunk prefix
		}
		ph = phone{code, d}
	}
	if len(ph.countryCode)+len(ph.national) > 15 || len(ph.national) < 4 {
		return phone{}, false
	}
	if ph.countryCode == "1" {
		n := ph.national
		if len(n) != 10 || n[0] < '2' || n[3] < '2' {
			return phone{}, false
		}
	} else if len(ph.national) < 6 {
		return phone{}, false
	}
	return ph, true
}

func phoneArgs(c *Context, n *callNode, args []Value) (string, string, bool, error) {
	c.note(n.pos, PolicyPhoneNumber, "checked by length and calling code only")
	s, ok, err := textArg(args, 0)
	if err != nil || !ok {
		return "", "", false, err
	}
	region := ""
	if len(args) == 2 {
		if region, _, err = textArg(args, 1); err != nil {
			return "", "", false, err
		}
	}
	return s, region, true, nil
}

// IS_PHONE_NUMBER(text[, region]) reports whether text is a phone number
// (see parsePhone).
func fnIsPhoneNumber(c *Context, n *callNode, args []Value) (Value, error) {
	s, region, ok, err := phoneArgs(c, n, args)
	if err != nil || !ok {
		return Bool(false), err
	}
	_, valid := parsePhone(s, region)
	return Bool(valid), nil
}

// TO_PHONE_NUMBER(text[, region]) is the phone number as a struct
// {country_code, national_number, e164} of strings, or null when text is
// not a phone number. CX's own field names are not documented.
func fnToPhoneNumber(c *Context, n *callNode, args []Value) (Value, error) {
	s, region, ok, err := phoneArgs(c, n, args)
	if err != nil || !ok {
		return Null, err
	}
	ph, valid := parsePhone(s, region)
	if !valid {
		return Null, nil
	}
	return structOf(map[string]any{
		"country_code":    ph.countryCode,
		"national_number": ph.national,
		"e164":            "+" + ph.countryCode + ph.national,
	}), nil
}

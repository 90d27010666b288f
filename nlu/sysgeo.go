package nlu

import "strings"

// Geography from small built-in lists: the 50 US states and DC, about a
// hundred and twenty countries, and about two hundred large or
// well-known cities. CX knows far more places; a place not listed here is
// not extracted (and is reported as not found, never guessed). The value
// is the place's usual English name, as @sys.geo-* send a string.

var usStates = []string{
	"Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut",
	"Delaware", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa",
	"Kansas", "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan",
	"Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada",
	"New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina",
	"North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island",
	"South Carolina", "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia",
	"Washington", "West Virginia", "Wisconsin", "Wyoming", "District of Columbia",
}

var countries = []string{
	"Afghanistan", "Albania", "Algeria", "Argentina", "Armenia", "Australia", "Austria",
	"Azerbaijan", "Bahamas", "Bangladesh", "Belarus", "Belgium", "Bolivia", "Bosnia and Herzegovina",
	"Brazil", "Bulgaria", "Cambodia", "Cameroon", "Canada", "Chile", "China", "Colombia",
	"Costa Rica", "Croatia", "Cuba", "Cyprus", "Czech Republic", "Denmark",
	"Dominican Republic", "Ecuador", "Egypt", "El Salvador", "Estonia", "Ethiopia", "Fiji",
	"Finland", "France", "Georgia", "Germany", "Ghana", "Greece", "Guatemala", "Haiti",
	"Honduras", "Hungary", "Iceland", "India", "Indonesia", "Iran", "Iraq", "Ireland",
	"Israel", "Italy", "Jamaica", "Japan", "Jordan", "Kazakhstan", "Kenya", "Kuwait",
	"Laos", "Latvia", "Lebanon", "Libya", "Lithuania", "Luxembourg", "Madagascar",
	"Malaysia", "Maldives", "Mali", "Malta", "Mexico", "Moldova", "Monaco", "Mongolia",
	"Montenegro", "Morocco", "Mozambique", "Myanmar", "Nepal", "Netherlands",
	"New Zealand", "Nicaragua", "Nigeria", "North Korea", "Norway", "Oman", "Pakistan",
	"Panama", "Paraguay", "Peru", "Philippines", "Poland", "Portugal", "Qatar", "Romania",
	"Russia", "Rwanda", "Saudi Arabia", "Senegal", "Serbia", "Singapore", "Slovakia",
	"Slovenia", "Somalia", "South Africa", "South Korea", "Spain", "Sri Lanka", "Sudan",
	"Sweden", "Switzerland", "Syria", "Taiwan", "Tanzania", "Thailand", "Tunisia",
	"Turkey", "Uganda", "Ukraine", "United Arab Emirates", "United Kingdom",
	"United States", "Uruguay", "Uzbekistan", "Venezuela", "Vietnam", "Yemen", "Zambia",
	"Zimbabwe",
}

// countryAliases are other names of listed countries.
var countryAliases = map[string]string{
	"usa": "United States", "us": "United States", "america": "United States",
	"united states of america": "United States", "uk": "United Kingdom",
	"great britain": "United Kingdom", "britain": "United Kingdom", "england": "United Kingdom",
	"holland": "Netherlands", "uae": "United Arab Emirates", "korea": "South Korea",
	"czechia": "Czech Republic", "burma": "Myanmar",
}

var cities = []string{
	// United States
	"New York", "Los Angeles", "Chicago", "Houston", "Phoenix", "Philadelphia", "San Antonio",
	"San Diego", "Dallas", "San Jose", "Austin", "Jacksonville", "Fort Worth", "Columbus",
	"Charlotte", "San Francisco", "Indianapolis", "Seattle", "Denver", "Washington",
	"Boston", "El Paso", "Nashville", "Detroit", "Oklahoma City", "Portland", "Las Vegas",
	"Memphis", "Louisville", "Baltimore", "Milwaukee", "Albuquerque", "Tucson", "Fresno",
	"Sacramento", "Kansas City", "Mesa", "Atlanta", "Omaha", "Colorado Springs", "Raleigh",
	"Miami", "Long Beach", "Virginia Beach", "Oakland", "Minneapolis", "Tulsa", "Tampa",
	"Arlington", "New Orleans", "Wichita", "Cleveland", "Bakersfield", "Aurora", "Anaheim",
	"Honolulu", "Santa Ana", "Riverside", "Corpus Christi", "Lexington", "Stockton",
	"Henderson", "Saint Paul", "St Louis", "Cincinnati", "Pittsburgh", "Greensboro",
	"Anchorage", "Plano", "Lincoln", "Orlando", "Irvine", "Newark", "Toledo", "Durham",
	"Chula Vista", "Fort Wayne", "Jersey City", "St Petersburg", "Laredo", "Madison",
	"Chandler", "Buffalo", "Lubbock", "Scottsdale", "Reno", "Glendale", "Gilbert",
	"Winston Salem", "North Las Vegas", "Norfolk", "Chesapeake", "Garland", "Irving",
	"Hialeah", "Fremont", "Boise", "Richmond", "Baton Rouge", "Spokane", "Des Moines",
	"Tacoma", "San Bernardino", "Modesto", "Fontana", "Santa Clarita", "Birmingham",
	"Oxnard", "Fayetteville", "Moreno Valley", "Rochester", "Salt Lake City", "Palo Alto",
	"Mountain View", "Sunnyvale", "Santa Clara", "Berkeley", "Burbank", "Pasadena",
	"Savannah", "Charleston", "Hartford", "Providence", "Albany", "Syracuse", "Knoxville",
	"Little Rock", "Jackson", "Tallahassee", "Asheville", "Boulder", "Santa Fe", "Juneau",
	// Elsewhere
	"London", "Paris", "Berlin", "Madrid", "Barcelona", "Rome", "Milan", "Vienna",
	"Amsterdam", "Brussels", "Zurich", "Geneva", "Munich", "Frankfurt", "Hamburg",
	"Prague", "Warsaw", "Budapest", "Lisbon", "Dublin", "Edinburgh", "Manchester",
	"Copenhagen", "Stockholm", "Oslo", "Helsinki", "Athens", "Istanbul", "Moscow",
	"Saint Petersburg", "Kyiv", "Toronto", "Montreal", "Vancouver", "Calgary", "Ottawa",
	"Mexico City", "Guadalajara", "Cancun", "Havana", "Bogota", "Lima", "Santiago",
	"Buenos Aires", "Sao Paulo", "Rio de Janeiro", "Caracas", "Quito", "Tokyo", "Osaka",
	"Kyoto", "Nagoya", "Seoul", "Busan", "Beijing", "Shanghai", "Hong Kong", "Shenzhen",
	"Guangzhou", "Taipei", "Singapore", "Bangkok", "Hanoi", "Ho Chi Minh City",
	"Kuala Lumpur", "Jakarta", "Manila", "Delhi", "New Delhi", "Mumbai", "Bangalore",
	"Chennai", "Kolkata", "Hyderabad", "Karachi", "Lahore", "Dhaka", "Kathmandu", "Dubai",
	"Abu Dhabi", "Doha", "Riyadh", "Tel Aviv", "Jerusalem", "Cairo", "Casablanca",
	"Marrakesh", "Lagos", "Nairobi", "Entebbe", "Kampala", "Addis Ababa", "Johannesburg",
	"Cape Town", "Accra", "Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide",
	"Auckland", "Wellington",
}

var cityAliases = map[string]string{
	"nyc": "New York", "new york city": "New York", "la": "Los Angeles", "sf": "San Francisco",
	"philly": "Philadelphia", "vegas": "Las Vegas", "dc": "Washington",
	"saint louis": "St Louis", "st petersburg": "St Petersburg", "bombay": "Mumbai",
	"peking": "Beijing", "saigon": "Ho Chi Minh City",
}

// placeList is a list indexed by normalised name.
type placeList struct {
	names    map[string]string // normalised name or alias → value
	maxWords int
}

func newPlaceList(names []string, aliases map[string]string) *placeList {
	p := &placeList{names: map[string]string{}}
	add := func(key, value string) {
		p.names[key] = value
		p.maxWords = max(p.maxWords, strings.Count(key, " ")+1)
	}
	for _, n := range names {
		add(normalize(n), n)
	}
	for k, v := range aliases {
		add(normalize(k), v)
	}
	return p
}

var (
	cityList    = newPlaceList(cities, cityAliases)
	countryList = newPlaceList(countries, countryAliases)
	stateList   = newPlaceList(usStates, nil)
)

// spans finds the listed places in u, longest first at each position.
// Two-letter aliases ("la", "us", "uk", "sf", "dc") must be written in
// capitals, since "la" and "us" are also words.
func (p *placeList) spans(u *utterance) []span {
	var out []span
	for i := 0; i < len(u.w); {
		found := false
		for n := min(p.maxWords, len(u.w)-i); n >= 1; n-- {
			key := u.joined(i, i+n)
			v, ok := p.names[key]
			if !ok {
				continue
			}
			if len(key) <= 2 && strings.ToUpper(u.original(i, i+n)) != u.original(i, i+n) {
				continue
			}
			out = append(out, span{ws: i, we: i + n, value: v, score: 1})
			i += n
			found = true
			break
		}
		if !found {
			i++
		}
	}
	return out
}

func citySpans(u *utterance) []span    { return cityList.spans(u) }
func countrySpans(u *utterance) []span { return countryList.spans(u) }
func stateSpans(u *utterance) []span   { return stateList.spans(u) }

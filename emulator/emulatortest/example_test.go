package emulatortest_test

import (
	"fmt"
	"strings"

	"github.com/cxhook/cxhook/emulator/emulatortest"
	"github.com/cxhook/cxhook/fulfillment"
)

// printer is a T that prints the first line of each failure, as go test
// would print the whole message.
type printer struct{}

func (printer) Helper() {}
func (printer) Errorf(format string, args ...any) {
	fmt.Println("FAIL:", strings.SplitN(fmt.Sprintf(format, args...), "\n", 2)[0])
}
func (p printer) Fatalf(format string, args ...any) { p.Errorf(format, args...) }

// A conversation with the flight agent and its example webhook, in process.
// In a test, pass the *testing.T; here a printer stands in for it.
func Example() {
	c := emulatortest.Load(printer{}, "../../testdata/agents/digibhem-flight-bot", emulatortest.Options{
		Webhook: fulfillment.NewHTTPHandler(example(), quiet),
	})
	c.Say("how many miles do I have", emulatortest.Intent("flights.available_miles")).
		Page("Check Frequent Flyer Account Miles")
	c.Say("123456", emulatortest.Fill("frequent_flyer_account_number", "123456")).
		Called("checkMileage")
	c.Say("Melina Garcia", emulatortest.Fill("passenger_name", "Melina Garcia")).
		Param("mileage", 55000).
		Page("Display Frequent Flyer MIles") // the page routes on at once
	for _, text := range c.Last().Texts() {
		fmt.Println(strings.SplitN(text, "\n", 2)[0])
	}
	// Output:
	// FAIL: page is "Anything Else", want "Display Frequent Flyer MIles"
	// Melina Garcia, you have 55000 miles available for use.
	// Would you like help with anything else?
}

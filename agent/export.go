package agent

import (
	"maps"
	"slices"

	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The files of a JSON package export, as written. Field names are the
// export's; members these types lack are skipped, so newer exports load.
// References are display names, resolved in resolve.go.

type xAgent struct {
	DisplayName              string      `json:"displayName"`
	DefaultLanguageCode      string      `json:"defaultLanguageCode"`
	SupportedLanguageCodes   []string    `json:"supportedLanguageCodes"`
	TimeZone                 string      `json:"timeZone"`
	Description              string      `json:"description"`
	StartFlow                string      `json:"startFlow"`
	StartPlaybook            string      `json:"startPlaybook"`
	SecuritySettings         string      `json:"securitySettings"`
	EnableSpellCorrection    bool        `json:"enableSpellCorrection"`
	EnableStackdriverLogging bool        `json:"enableStackdriverLogging"`
	EnableMultiLanguage      bool        `json:"enableMultiLanguageTraining"`
	Locked                   bool        `json:"locked"`
	ProjectNumber            stringValue `json:"projectNumber"`
	SpeechToTextSettings     struct {
		EnableSpeechAdaptation bool `json:"enableSpeechAdaptation"`
	} `json:"speechToTextSettings"`
	AnswerFeedbackSettings struct {
		EnableAnswerFeedback bool `json:"enableAnswerFeedback"`
	} `json:"answerFeedbackSettings"`
	AdvancedSettings *xAdvanced `json:"advancedSettings"`
}

type xAdvanced struct {
	SpeechSettings *struct {
		EndpointerSensitivity      int64Value `json:"endpointerSensitivity"`
		NoSpeechTimeout            duration   `json:"noSpeechTimeout"`
		UseTimeoutBasedEndpointing bool       `json:"useTimeoutBasedEndpointing"`
		Models                     keyValues  `json:"models"`
	} `json:"speechSettings"`
	DTMFSettings *struct {
		Enabled                    bool       `json:"enabled"`
		MaxDigits                  int64Value `json:"maxDigits"`
		FinishDigit                string     `json:"finishDigit"`
		InterdigitTimeoutDuration  duration   `json:"interdigitTimeoutDuration"`
		EndpointingTimeoutDuration duration   `json:"endpointingTimeoutDuration"`
	} `json:"dtmfSettings"`
	LoggingSettings *struct {
		EnableStackdriverLogging    bool `json:"enableStackdriverLogging"`
		EnableInteractionLogging    bool `json:"enableInteractionLogging"`
		EnableConsentBasedRedaction bool `json:"enableConsentBasedRedaction"`
	} `json:"loggingSettings"`
}

type xFlow struct {
	Name                       string          `json:"name"`
	DisplayName                string          `json:"displayName"`
	Description                string          `json:"description"`
	TransitionRoutes           []xRoute        `json:"transitionRoutes"`
	EventHandlers              []xEventHandler `json:"eventHandlers"`
	TransitionRouteGroups      []string        `json:"transitionRouteGroups"`
	AgentTransitionRouteGroups []string        `json:"agentTransitionRouteGroups"`
	NLUSettings                *xNLU           `json:"nluSettings"`
	AdvancedSettings           *xAdvanced      `json:"advancedSettings"`
}

type xNLU struct {
	ModelType               string  `json:"modelType"`
	ClassificationThreshold float64 `json:"classificationThreshold"`
	ModelTrainingMode       string  `json:"modelTrainingMode"`
}

type xPage struct {
	Name                       string          `json:"name"`
	DisplayName                string          `json:"displayName"`
	Description                string          `json:"description"`
	EntryFulfillment           *xFulfillment   `json:"entryFulfillment"`
	Form                       *xForm          `json:"form"`
	TransitionRouteGroups      []string        `json:"transitionRouteGroups"`
	AgentTransitionRouteGroups []string        `json:"agentTransitionRouteGroups"`
	TransitionRoutes           []xRoute        `json:"transitionRoutes"`
	EventHandlers              []xEventHandler `json:"eventHandlers"`
	AdvancedSettings           *xAdvanced      `json:"advancedSettings"`
}

type xForm struct {
	Parameters []xFormParameter `json:"parameters"`
}

type xFormParameter struct {
	DisplayName  string            `json:"displayName"`
	Required     bool              `json:"required"`
	EntityType   string            `json:"entityType"`
	IsList       bool              `json:"isList"`
	Redact       bool              `json:"redact"`
	DefaultValue fulfillment.Value `json:"defaultValue"`
	FillBehavior *struct {
		InitialPromptFulfillment *xFulfillment   `json:"initialPromptFulfillment"`
		RepromptEventHandlers    []xEventHandler `json:"repromptEventHandlers"`
	} `json:"fillBehavior"`
	AdvancedSettings *xAdvanced `json:"advancedSettings"`
}

type xRoute struct {
	Name               string        `json:"name"`
	Description        string        `json:"description"`
	Intent             string        `json:"intent"`
	Condition          string        `json:"condition"`
	TriggerFulfillment *xFulfillment `json:"triggerFulfillment"`
	TargetPage         *string       `json:"targetPage"`
	TargetFlow         *string       `json:"targetFlow"`
	TargetPlaybook     *string       `json:"targetPlaybook"`
}

type xEventHandler struct {
	Name               string        `json:"name"`
	Event              string        `json:"event"`
	TriggerFulfillment *xFulfillment `json:"triggerFulfillment"`
	TargetPage         *string       `json:"targetPage"`
	TargetFlow         *string       `json:"targetFlow"`
	TargetPlaybook     *string       `json:"targetPlaybook"`
}

type xFulfillment struct {
	Messages                 []jsontext.Value    `json:"messages"`
	Webhook                  string              `json:"webhook"`
	Tag                      string              `json:"tag"`
	ReturnPartialResponses   bool                `json:"returnPartialResponses"`
	SetParameterActions      []xSetParam         `json:"setParameterActions"`
	ConditionalCases         []xConditionalCases `json:"conditionalCases"`
	EnableGenerativeFallback bool                `json:"enableGenerativeFallback"`
	Generators               []xGeneratorCall    `json:"generators"`
	AdvancedSettings         *xAdvanced          `json:"advancedSettings"`
}

type xSetParam struct {
	Parameter string            `json:"parameter"`
	Value     fulfillment.Value `json:"value"`
}

type xConditionalCases struct {
	Cases []struct {
		Condition   string `json:"condition"`
		CaseContent []struct {
			Message         jsontext.Value     `json:"message"`
			AdditionalCases *xConditionalCases `json:"additionalCases"`
		} `json:"caseContent"`
	} `json:"cases"`
}

type xGeneratorCall struct {
	Generator       string    `json:"generator"`
	InputParameters keyValues `json:"inputParameters"`
	OutputParameter string    `json:"outputParameter"`
}

type xRouteGroup struct {
	Name             string   `json:"name"`
	DisplayName      string   `json:"displayName"`
	TransitionRoutes []xRoute `json:"transitionRoutes"`
}

type xIntent struct {
	Name        string    `json:"name"`
	DisplayName string    `json:"displayName"`
	Description string    `json:"description"`
	Priority    *int64    `json:"priority"`
	IsFallback  bool      `json:"isFallback"`
	Labels      keyValues `json:"labels"`
	DTMFPattern string    `json:"dtmfPattern"`
	Parameters  []struct {
		ID         string `json:"id"`
		EntityType string `json:"entityType"`
		IsList     bool   `json:"isList"`
		Redact     bool   `json:"redact"`
	} `json:"parameters"`
	// Some exports keep the training phrases in the intent file.
	TrainingPhrases []xTrainingPhrase `json:"trainingPhrases"`
}

type xTrainingPhrases struct {
	TrainingPhrases []xTrainingPhrase `json:"trainingPhrases"`
}

type xTrainingPhrase struct {
	ID    string `json:"id"`
	Parts []struct {
		Text        string `json:"text"`
		ParameterID string `json:"parameterId"`
		Auto        bool   `json:"auto"`
	} `json:"parts"`
	RepeatCount  int64Value `json:"repeatCount"`
	LanguageCode string     `json:"languageCode"`
}

type xEntityType struct {
	Name                  string `json:"name"`
	DisplayName           string `json:"displayName"`
	Kind                  string `json:"kind"`
	AutoExpansionMode     string `json:"autoExpansionMode"`
	EnableFuzzyExtraction bool   `json:"enableFuzzyExtraction"`
	Redact                bool   `json:"redact"`
	// Some exports keep the entities in the entity type's file.
	Entities        []xEntity `json:"entities"`
	ExcludedPhrases []xPhrase `json:"excludedPhrases"`
}

type xEntities struct {
	Entities []xEntity `json:"entities"`
}

type xEntity struct {
	Value        string   `json:"value"`
	Synonyms     []string `json:"synonyms"`
	LanguageCode string   `json:"languageCode"`
}

type xExcludedPhrases struct {
	ExcludedPhrases []xPhrase `json:"excludedPhrases"`
}

type xPhrase struct {
	Value        string `json:"value"`
	LanguageCode string `json:"languageCode"`
}

type xWebhook struct {
	Name              string            `json:"name"`
	DisplayName       string            `json:"displayName"`
	Disabled          bool              `json:"disabled"`
	Timeout           *duration         `json:"timeout"`
	GenericWebService *xGenericService  `json:"genericWebService"`
	ServiceDirectory  *xServiceDirector `json:"serviceDirectory"`
}

type xServiceDirector struct {
	Service           string           `json:"service"`
	GenericWebService *xGenericService `json:"genericWebService"`
}

type xGenericService struct {
	URI                              string     `json:"uri"`
	Username                         string     `json:"username"`
	Password                         string     `json:"password"`
	SecretVersionForUsernamePassword string     `json:"secretVersionForUsernamePassword"`
	RequestHeaders                   keyValues  `json:"requestHeaders"`
	SecretVersionsForRequestHeaders  xSecretMap `json:"secretVersionsForRequestHeaders"`
	AllowedCACerts                   []string   `json:"allowedCaCerts"`
	OAuthConfig                      *struct {
		ClientID                     string   `json:"clientId"`
		ClientSecret                 string   `json:"clientSecret"`
		SecretVersionForClientSecret string   `json:"secretVersionForClientSecret"`
		TokenEndpoint                string   `json:"tokenEndpoint"`
		Scopes                       []string `json:"scopes"`
	} `json:"oauthConfig"`
	ServiceAgentAuth         string `json:"serviceAgentAuth"`
	ServiceAccountAuthConfig *struct {
		ServiceAccount string `json:"serviceAccount"`
	} `json:"serviceAccountAuthConfig"`
	WebhookType      string    `json:"webhookType"`
	HTTPMethod       string    `json:"httpMethod"`
	RequestBody      string    `json:"requestBody"`
	ParameterMapping keyValues `json:"parameterMapping"`
}

// xSecretMap reads secretVersionsForRequestHeaders: header name to
// {"secretVersion": ...}, as a list of key/value objects or a map.
type xSecretMap []KeyValue

func (m *xSecretMap) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	type secret struct {
		SecretVersion string `json:"secretVersion"`
	}
	switch dec.PeekKind() {
	case 'n':
		_, err := dec.ReadToken()
		return err
	case '[':
		var list []struct {
			Key   string `json:"key"`
			Value secret `json:"value"`
		}
		if err := json.UnmarshalDecode(dec, &list); err != nil {
			return err
		}
		for _, e := range list {
			*m = append(*m, KeyValue{e.Key, e.Value.SecretVersion})
		}
		return nil
	}
	var obj map[string]secret
	if err := json.UnmarshalDecode(dec, &obj); err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		*m = append(*m, KeyValue{k, obj[k].SecretVersion})
	}
	return nil
}

type xTestCase struct {
	Name        string   `json:"name"`
	DisplayName string   `json:"displayName"`
	Tags        []string `json:"tags"`
	Notes       string   `json:"notes"`
	TestConfig  *struct {
		TrackingParameters []string `json:"trackingParameters"`
		Flow               string   `json:"flow"`
		Page               string   `json:"page"`
	} `json:"testConfig"`
	Turns        []xTurn   `json:"testCaseConversationTurns"`
	CreationTime timestamp `json:"creationTime"`
}

type xTurn struct {
	UserInput *struct {
		Input *struct {
			Text *struct {
				Text string `json:"text"`
			} `json:"text"`
			Event *struct {
				Event string `json:"event"`
			} `json:"event"`
			DTMF *struct {
				Digits      string `json:"digits"`
				FinishDigit string `json:"finishDigit"`
			} `json:"dtmf"`
			Intent *struct {
				Intent string `json:"intent"`
			} `json:"intent"`
			Audio        jsontext.Value `json:"audio"`
			LanguageCode string         `json:"languageCode"`
		} `json:"input"`
		InjectedParameters      fulfillment.Params `json:"injectedParameters"`
		IsWebhookEnabled        bool               `json:"isWebhookEnabled"`
		EnableSentimentAnalysis bool               `json:"enableSentimentAnalysis"`
	} `json:"userInput"`
	VirtualAgentOutput *xOutput `json:"virtualAgentOutput"`
}

type xOutput struct {
	SessionParameters fulfillment.Params `json:"sessionParameters"`
	TriggeredIntent   *struct {
		Name        string `json:"name"`
		DisplayName string `json:"displayName"`
	} `json:"triggeredIntent"`
	CurrentPage *struct {
		Name        string `json:"name"`
		DisplayName string `json:"displayName"`
		Flow        string `json:"flow"`
	} `json:"currentPage"`
	CurrentFlow *struct {
		Name        string `json:"name"`
		DisplayName string `json:"displayName"`
	} `json:"currentFlow"`
	TextResponses []struct {
		Text []string `json:"text"`
	} `json:"textResponses"`
	Status *struct {
		Code    int64Value `json:"code"`
		Message string     `json:"message"`
	} `json:"status"`
}

type xGenerator struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	PromptText  *struct {
		Text string `json:"text"`
	} `json:"promptText"`
	PromptTexts []struct {
		Text         string `json:"text"`
		LanguageCode string `json:"languageCode"`
	} `json:"promptTexts"`
	Placeholders []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"placeholders"`
}

package notify

import "github.com/o2kit/o2kit/alerting"

// feishuMessage is the custom bot's request body. Timestamp and Sign are
// set when the bot has a secret; Content carries a text message, Card an
// interactive one.
type feishuMessage struct {
	Timestamp string      `json:"timestamp,omitempty"`
	Sign      string      `json:"sign,omitempty"`
	MsgType   string      `json:"msg_type"`
	Content   *feishuText `json:"content,omitempty"`
	Card      *feishuCard `json:"card,omitempty"`
}

type feishuText struct {
	Text string `json:"text"`
}

// feishuCard is a message card: a coloured header with the title and one
// markdown element with the body (card JSON 1.0, as the custom bot guide
// shows it).
type feishuCard struct {
	Config   feishuCardConfig    `json:"config"`
	Header   feishuCardHeader    `json:"header"`
	Elements []feishuCardElement `json:"elements"`
}

type feishuCardConfig struct {
	WideScreenMode bool `json:"wide_screen_mode"`
}

type feishuCardHeader struct {
	Title    feishuCardText `json:"title"`
	Template string         `json:"template"`
}

type feishuCardText struct {
	Tag     string `json:"tag"`
	Content string `json:"content"`
}

type feishuCardElement struct {
	Tag     string `json:"tag"`
	Content string `json:"content"`
}

func feishuNewCard(title, markdown, color string) *feishuCard {
	return &feishuCard{
		Config:   feishuCardConfig{WideScreenMode: true},
		Header:   feishuCardHeader{Title: feishuCardText{Tag: "plain_text", Content: title}, Template: color},
		Elements: []feishuCardElement{{Tag: "markdown", Content: markdown}},
	}
}

// feishuColor picks the card header's template colour: green once
// resolved; while firing red, orange, yellow or blue from critical down
// to low, by the highest severity that fires.
func feishuColor(n *alerting.Notification) string {
	if n.Status == alerting.StatusResolved {
		return "green"
	}
	switch chatSeverity(n) {
	case alerting.Critical:
		return "red"
	case alerting.High:
		return "orange"
	case alerting.Low:
		return "blue"
	}
	return "yellow"
}

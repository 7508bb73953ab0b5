package notify_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/mail"
	"strings"

	"github.com/emersion/go-smtp"

	"github.com/o2kit/o2kit/alerting/notify"
)

// printSession is a go-smtp session that prints the envelope and some
// headers of each mail it receives.
type printSession struct{}

func (printSession) Mail(from string, _ *smtp.MailOptions) error {
	fmt.Println("MAIL FROM:", from)
	return nil
}

func (printSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	fmt.Println("RCPT TO:", to)
	return nil
}

func (printSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	for _, h := range []string{"From", "To", "Subject", "X-Alert-Status", "X-Alert-Group"} {
		fmt.Printf("%s: %s\n", h, m.Header.Get(h))
	}
	body, _ := io.ReadAll(m.Body)
	fmt.Println(strings.SplitN(string(body), "\r\n", 2)[0])
	return nil
}

func (printSession) Reset()        {}
func (printSession) Logout() error { return nil }

// A mail server on localhost without TLS stands in for a real relay here;
// against one, keep the default StartTLS and add WithSMTPAuth.
func ExampleNewEmail() {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return printSession{}, nil }))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	done := make(chan struct{})
	go func() { _ = srv.Serve(l); close(done) }()
	defer func() { _ = srv.Close(); <-done }()

	email, err := notify.NewEmail(l.Addr().String(), "o2kit <alerts@example.com>", []string{"ops@example.com"},
		notify.WithSMTPTLS(notify.NoTLS), notify.WithHELO("o2kit.example.com"))
	if err != nil {
		panic(err)
	}
	fmt.Println(email.Notify(context.Background(), exampleNotification()))
	// Output:
	// MAIL FROM: alerts@example.com
	// RCPT TO: ops@example.com
	// From: "o2kit" <alerts@example.com>
	// To: <ops@example.com>
	// Subject: [FIRING:1] DiskFull
	// X-Alert-Status: firing
	// X-Alert-Group: {}:{alertname="DiskFull"}
	// - [firing] DiskFull (high): disk 97% full
	// <nil>
}

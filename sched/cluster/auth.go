package cluster

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// tokenHeader is the gRPC metadata key that carries the cluster token on
// every call, between every pair of processes.
const tokenHeader = "godask-cluster-token"

// NewToken returns a fresh random cluster token (32 bytes, hex).
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("cluster: no randomness for a token: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// ReadTokenFile reads a token written to a file (surrounding space trimmed).
func ReadTokenFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("cluster: read token file: %w", err)
	}
	t := strings.TrimSpace(string(b))
	if t == "" {
		return "", fmt.Errorf("cluster: token file %s is empty", path)
	}
	return t, nil
}

// tokenCreds sends the token with every call.
type tokenCreds string

func (t tokenCreds) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{tokenHeader: string(t)}, nil
}

func (tokenCreds) RequireTransportSecurity() bool { return false }

// checkToken refuses a call whose token is missing or wrong, naming the
// peer. The comparison is in constant time over hashes of equal length.
func checkToken(ctx context.Context, want string) error {
	who := "unknown peer"
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		who = p.Addr.String()
	}
	md, _ := metadata.FromIncomingContext(ctx)
	got := md.Get(tokenHeader)
	if len(got) == 0 {
		return status.Errorf(codes.Unauthenticated, "godask cluster: peer %s refused: no cluster token", who)
	}
	a, b := sha256.Sum256([]byte(got[0])), sha256.Sum256([]byte(want))
	if subtle.ConstantTimeCompare(a[:], b[:]) != 1 {
		return status.Errorf(codes.Unauthenticated, "godask cluster: peer %s refused: wrong cluster token", who)
	}
	return nil
}

func authInterceptors(token string) []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			if err := checkToken(ctx, token); err != nil {
				return nil, err
			}
			return h(ctx, req)
		}),
		grpc.StreamInterceptor(func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			if err := checkToken(ss.Context(), token); err != nil {
				return err
			}
			return h(srv, ss)
		}),
	}
}

// CA is a cluster certificate authority: it issues the certificates of the
// scheduler and the workers, and every process trusts only certificates it
// signed (mutual TLS). NewCA makes one in memory; LoadCA reads PEM files.
type CA struct {
	Cert    *x509.Certificate
	Key     *ecdsa.PrivateKey // nil for a CA loaded without its key
	CertPEM []byte
}

// clusterOrg is the organization of every certificate a CA issues; a peer
// whose certificate lacks it is refused even if some other CA signed it.
const clusterOrg = "godask cluster"

// NewCA generates a cluster CA (ECDSA P-256, valid for a year).
func NewCA() (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("cluster: generate CA key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Organization: []string{clusterOrg}, CommonName: "godask cluster CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(365 * 24 * time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("cluster: create CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key, CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		panic("cluster: no randomness for a serial number: " + err.Error())
	}
	return n
}

// Issue returns a certificate and key (PEM) for a process reachable under
// hosts (DNS names or IP addresses), usable as a server and as a client.
// localhost, 127.0.0.1 and ::1 are always included.
func (ca *CA) Issue(hosts ...string) (certPEM, keyPEM []byte, err error) {
	if ca.Key == nil {
		return nil, nil, errors.New("cluster: issue a certificate: the CA has no private key")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("cluster: generate key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{Organization: []string{clusterOrg}, CommonName: "godask cluster member"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	for _, h := range append([]string{"localhost", "127.0.0.1", "::1"}, hosts...) {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if h != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("cluster: create certificate: %w", err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), nil
}

// WriteFiles writes the CA certificate and a certificate and key issued for
// hosts into dir as ca.pem, cert.pem and key.pem (the key 0600), the files
// a hand-started worker is given with --tls-ca, --tls-cert and --tls-key.
func (ca *CA) WriteFiles(dir string, hosts ...string) (TLSFiles, error) {
	c, k, err := ca.Issue(hosts...)
	if err != nil {
		return TLSFiles{}, err
	}
	f := TLSFiles{CA: filepath.Join(dir, "ca.pem"), Cert: filepath.Join(dir, "cert.pem"), Key: filepath.Join(dir, "key.pem")}
	for _, w := range []struct {
		path string
		b    []byte
		mode os.FileMode
	}{{f.CA, ca.CertPEM, 0o644}, {f.Cert, c, 0o644}, {f.Key, k, 0o600}} {
		if err := os.WriteFile(w.path, w.b, w.mode); err != nil {
			return TLSFiles{}, fmt.Errorf("cluster: write %s: %w", w.path, err)
		}
	}
	return f, nil
}

// TLSFiles names the PEM files of one process: the cluster CA's
// certificate and this process's certificate and key.
type TLSFiles struct{ CA, Cert, Key string }

// config builds the mutual TLS configuration of one process: it presents
// its certificate, trusts only the cluster CA, requires a certificate of
// every peer and checks that it is a cluster member's. Clients check the
// server's name against the address they dial.
func (f TLSFiles) config() (*tls.Config, error) {
	caPEM, err := os.ReadFile(f.CA)
	if err != nil {
		return nil, fmt.Errorf("cluster: TLS CA: %w", err)
	}
	certPEM, err := os.ReadFile(f.Cert)
	if err != nil {
		return nil, fmt.Errorf("cluster: TLS certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(f.Key)
	if err != nil {
		return nil, fmt.Errorf("cluster: TLS key: %w", err)
	}
	return tlsConfigPEM(caPEM, certPEM, keyPEM, fmt.Sprintf("CA %s, certificate %s, key %s", f.CA, f.Cert, f.Key))
}

// tlsConfigPEM is TLSFiles.config from the PEM bytes themselves (the SSH
// launcher hands them to its workers on standard input); where names their
// source in errors.
func tlsConfigPEM(caPEM, certPEM, keyPEM []byte, where string) (*tls.Config, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("cluster: TLS (%s): the CA holds no PEM certificate", where)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("cluster: TLS (%s): certificate and key: %w", where, err)
	}
	member := func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("godask cluster: peer presented no certificate")
		}
		for _, o := range cs.PeerCertificates[0].Subject.Organization {
			if o == clusterOrg {
				return nil
			}
		}
		return fmt.Errorf("godask cluster: peer certificate %q is not a cluster member's", cs.PeerCertificates[0].Subject.CommonName)
	}
	return &tls.Config{
		Certificates:     []tls.Certificate{pair},
		RootCAs:          pool,
		ClientCAs:        pool,
		ClientAuth:       tls.RequireAndVerifyClientCert,
		MinVersion:       tls.VersionTLS13,
		VerifyConnection: member,
	}, nil
}

// security is how one process talks to the others: the token, and TLS or
// none.
type security struct {
	token string
	tls   *tls.Config // nil: plain TCP
}

func (s security) serverOptions() []grpc.ServerOption {
	opts := authInterceptors(s.token)
	if s.tls != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(s.tls)))
	}
	return opts
}

func (s security) dialOptions() []grpc.DialOption {
	opts := []grpc.DialOption{grpc.WithPerRPCCredentials(tokenCreds(s.token))}
	if s.tls != nil {
		opts = append(opts, grpc.WithTransportCredentials(credentials.NewTLS(s.tls)))
	} else {
		opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))
	}
	return opts
}

//! TLS for the PostgreSQL driver: rustls with the ring provider, checking the server's
//! certificate the way libpq's `sslmode` says.
//!
//! - [`Verify::Nothing`] (`prefer`, `require` without a root file): the connection is
//!   encrypted but the certificate is not checked, as libpq does. The handshake signature is
//!   still verified, so the server does own the key of the certificate it shows.
//! - [`Verify::Chain`] (`verify-ca`): the certificate must chain to one of the roots.
//! - [`Verify::ChainAndName`] (`verify-full`): the chain, and the certificate must name the
//!   host connected to.
//!
//! A self-signed server certificate given as its own root (`sslrootcert=server.crt`, the usual
//! way to trust one server, and what Debian's snakeoil setup produces) is accepted when the
//! presented certificate is byte for byte one of the roots and is within its validity period:
//! webpki alone refuses such a certificate when it carries `CA:TRUE` (`CaUsedAsEndEntity`).
//! Any other certificate must verify through webpki as usual.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// What to check of the server's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verify {
    /// Encrypt only (libpq `prefer` / `require` without a root certificate).
    Nothing,
    /// The chain must lead to a root certificate (`verify-ca`).
    Chain,
    /// The chain, and the host name (`verify-full`).
    ChainAndName,
}

/// The trusted root certificates, as read from `sslrootcert`.
#[derive(Clone)]
pub(crate) struct Roots {
    store: RootCertStore,
    certs: Vec<CertificateDer<'static>>,
}

impl Roots {
    /// Reads every PEM certificate of a file (a bundle may hold several).
    pub(crate) fn from_pem_file(path: &Path) -> Result<Roots, String> {
        let bytes = std::fs::read(path)
            .map_err(|e| format!("cannot read sslrootcert {}: {e}", path.display()))?;
        Roots::from_pem(&bytes).map_err(|e| format!("sslrootcert {}: {e}", path.display()))
    }

    pub(crate) fn from_pem(pem: &[u8]) -> Result<Roots, String> {
        let certs = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("not a valid PEM file ({e})"))?;
        if certs.is_empty() {
            return Err("holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into());
        }
        let mut store = RootCertStore::empty();
        // A certificate webpki cannot use as a trust anchor can still be pinned (see
        // `verify_server_cert`), so the unusable ones are kept in `certs`, not refused.
        store.add_parsable_certificates(certs.iter().cloned());
        Ok(Roots { store, certs })
    }
}

/// The rustls client configuration for a connection. The ring provider is given explicitly:
/// nothing depends on a process-wide default provider being installed.
pub(crate) fn client_config(
    verify: Verify,
    roots: Option<Roots>,
) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = PgCertVerifier::new(provider.clone(), verify, roots)?;
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(config)
}

/// The server certificate verifier for the three levels of [`Verify`].
pub(crate) struct PgCertVerifier {
    provider: Arc<CryptoProvider>,
    verify: Verify,
    roots: Option<Roots>,
}

impl fmt::Debug for PgCertVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgCertVerifier")
            .field("verify", &self.verify)
            .field("roots", &self.roots.as_ref().map_or(0, |r| r.certs.len()))
            .finish()
    }
}

impl PgCertVerifier {
    pub(crate) fn new(
        provider: Arc<CryptoProvider>,
        verify: Verify,
        roots: Option<Roots>,
    ) -> Result<PgCertVerifier, String> {
        if verify != Verify::Nothing && roots.is_none() {
            return Err("certificate verification needs root certificates".into());
        }
        Ok(PgCertVerifier {
            provider,
            verify,
            roots,
        })
    }
}

/// Checks the validity period of a certificate that is trusted as itself.
fn check_validity(der: &[u8], now: UnixTime) -> Result<(), rustls::Error> {
    use x509_cert::der::Decode;
    let cert = x509_cert::Certificate::from_der(der)
        .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let validity = &cert.tbs_certificate.validity;
    let now = now.as_secs();
    if now < validity.not_before.to_unix_duration().as_secs() {
        return Err(rustls::Error::InvalidCertificate(
            CertificateError::NotValidYet,
        ));
    }
    if now > validity.not_after.to_unix_duration().as_secs() {
        return Err(rustls::Error::InvalidCertificate(CertificateError::Expired));
    }
    Ok(())
}

impl ServerCertVerifier for PgCertVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let roots = match (&self.roots, self.verify) {
            (_, Verify::Nothing) | (None, _) => return Ok(ServerCertVerified::assertion()),
            (Some(roots), _) => roots,
        };
        let cert = ParsedCertificate::try_from(end_entity)?;
        let pinned = roots
            .certs
            .iter()
            .any(|root| root.as_ref() == end_entity.as_ref());
        if pinned {
            // The very certificate is trusted: there is no chain to build. Its dates still
            // count, as they do for a root in OpenSSL.
            check_validity(end_entity.as_ref(), now)?;
        } else {
            verify_server_cert_signed_by_trust_anchor(
                &cert,
                &roots.store,
                intermediates,
                now,
                self.provider.signature_verification_algorithms.all,
            )?;
        }
        if self.verify == Verify::ChainAndName {
            verify_server_name(&cert, server_name)?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A TLS failure in words: what rustls says, with what it means for the user when it is
/// about the certificate.
pub(crate) fn describe(error: &rustls::Error, sslrootcert: Option<&Path>) -> String {
    let rustls::Error::InvalidCertificate(e) = error else {
        return error.to_string();
    };
    let roots = sslrootcert.map_or_else(
        || "the root certificate file".to_string(),
        |p| p.display().to_string(),
    );
    match e {
        // A root with the issuer's name but another key type also lands here: the
        // signature cannot be checked with that key.
        CertificateError::UnknownIssuer
        | CertificateError::BadSignature
        | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => format!(
            "the server's certificate is not signed by (and is not) a certificate in {roots}"
        ),
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            format!(
                "{error}: the certificate does not name the host connected to; connect with a \
                 host name the certificate lists, or use sslmode=verify-ca to check the chain only"
            )
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            format!("{error}: the server's certificate (or one in its chain) has expired")
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            format!(
                "{error}: the server's certificate is not valid yet; check this machine's clock"
            )
        }
        _ => error.to_string(),
    }
}

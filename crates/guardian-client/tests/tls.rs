//! A hostile network: a provider that presents a certificate the system does not trust is
//! refused during the TLS handshake, before the request (and the password in it) is sent.

use std::sync::Arc;

use guardian_client::{ClientError, MemorySecrets, ProviderClient, Secret};
use guardian_domain::SystemClock;
use tokio::io::AsyncReadExt as _;

#[tokio::test]
async fn a_provider_with_an_untrusted_certificate_is_refused_before_anything_is_sent() {
    let issued = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    let identity = native_tls::Identity::from_pkcs8(
        issued.cert.pem().as_bytes(),
        issued.signing_key.serialize_pem().as_bytes(),
    )
    .expect("identity");
    let acceptor =
        tokio_native_tls::TlsAcceptor::from(native_tls::TlsAcceptor::new(identity).expect("acceptor"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    // What the server received after the handshake, if it ever completed.
    let server = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.expect("accept");
        let mut stream = acceptor.accept(socket).await.ok()?;
        let mut request = Vec::new();
        let _ = stream.read_to_end(&mut request).await;
        Some(request)
    });

    let client = ProviderClient::new(
        &format!("https://localhost:{port}"),
        Arc::new(MemorySecrets::default()),
        Arc::new(SystemClock),
    )
    .expect("client");
    let error = client
        .sign_in_password("+8613800000001", &Secret::new("a password the server must not see"))
        .await
        .expect_err("an untrusted certificate");
    assert!(matches!(error, ClientError::Network(_)), "{error:?}");
    let received = server.await.expect("server");
    assert_eq!(received, None, "the handshake failed, so no request reached the server");
}

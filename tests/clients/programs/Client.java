// A Java client for the conformance suite: one GET, one JSON line on stdout.
//
//   java Client httpclient|urlconnection URL CA.pem [CERT.pem KEY.key]
//
// httpclient: java.net.http.HttpClient (offers h2); urlconnection: HttpsURLConnection.
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

public class Client {
    static String json(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    static SSLContext context(String ca, String cert, String key) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(Path.of(ca))) {
            trust.setCertificateEntry("ca", cf.generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (cert != null) {
            String pem = Files.readString(Path.of(key));
            String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            PrivateKey pk = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
            Certificate c;
            try (InputStream in = Files.newInputStream(Path.of(cert))) { c = cf.generateCertificate(in); }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("client", pk, "x".toCharArray(), new Certificate[] {c});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, "x".toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    public static void main(String[] args) {
        String status = "null", body = "", error = null, proto = null;
        try {
            SSLContext ctx = context(args[2], args.length > 4 ? args[3] : null, args.length > 4 ? args[4] : null);
            if (args[0].equals("httpclient")) {
                HttpClient client = HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(20)).build();
                HttpRequest req = HttpRequest.newBuilder(URI.create(args[1])).timeout(Duration.ofSeconds(20)).GET().build();
                HttpResponse<String> resp = client.send(req, HttpResponse.BodyHandlers.ofString());
                status = Integer.toString(resp.statusCode());
                body = resp.body();
                proto = resp.version().toString();
            } else {
                HttpsURLConnection conn = (HttpsURLConnection) new URL(args[1]).openConnection();
                conn.setSSLSocketFactory(ctx.getSocketFactory());
                conn.setConnectTimeout(20000);
                conn.setReadTimeout(20000);
                int code = conn.getResponseCode();
                status = Integer.toString(code);
                InputStream in = code >= 400 ? conn.getErrorStream() : conn.getInputStream();
                body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (Exception e) {
            error = e.toString();
        }
        System.out.println("{\"status\": " + status + ", \"body\": " + json(body) + ", \"error\": " + json(error) + ", \"proto\": " + json(proto) + "}");
        System.exit(0);
    }
}

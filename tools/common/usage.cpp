// The --help texts of tern_pub, tern_sub and tern_rr: the same flags as mosquitto's tools, in the
// same layout (a synopsis, then one entry per flag), in our own words.
#include <string>

#include "common/options.h"

#ifndef TERN_VERSION
#define TERN_VERSION "unknown"
#endif

namespace tern::tools {

namespace {

// Flags all three tools share, for the end of each text.
constexpr const char* kConnectionHelp =
    " -A : bind the outgoing socket to this local address.\n"
    " -c : ask for a persistent session (clean session off). The session outlives the\n"
    "      connection; with MQTT v5 it never expires unless -x says otherwise.\n"
    " -d : print debugging information.\n"
    " -D : set an MQTT v5 property: -D command name value, or -D command user-property key\n"
    "      value. command is connect, publish, subscribe, unsubscribe, disconnect or will.\n"
    " -h : the broker's host name or address (default localhost).\n"
    " -i : the client id (default: chosen by the tool).\n"
    " -I : a client id prefix; the process id is appended to it.\n"
    " -k : keepalive in seconds, 5 to 65535 (default 60).\n"
    " -L : connect to and use the topic of mqtt(s)://[username[:password]@]host[:port]/topic\n"
    " -M : the most QoS 1 and 2 messages in flight at once (default 20).\n"
    " -p : the broker's port (default 1883, or 8883 with TLS).\n"
    " -P : the password.\n"
    " -u : the username.\n"
    " -V : MQTT version: mqttv5 (or 5), mqttv311 (or 311) or mqttv31 (or 31).\n"
    " -x : Session Expiry Interval in seconds for MQTT v5 (0 to 4294967294; -1, 4294967295 or\n"
    "      \u221e for never). Default: never with -c, else 0.\n"
    " --help : print this text.\n"
    " --nodelay : send each packet at once (TCP_NODELAY).\n"
    " --quiet : print no error messages.\n"
    " --unix : connect through this Unix domain socket instead of TCP.\n"
    " --will-payload : the will's payload (default: empty).\n"
    " --will-qos : the will's QoS.\n"
    " --will-retain : make the will a retained message.\n"
    " --will-topic : the topic of the will the broker publishes if the client vanishes.\n"
    " --cafile : a file of trusted CA certificates; turns TLS on.\n"
    " --capath : a directory of trusted CA certificates; turns TLS on.\n"
    " --cert : the client certificate, if the broker asks for one.\n"
    " --key : the client certificate's private key.\n"
    " --keyform : the key's form, pem or engine.\n"
    " --ciphers : the TLS ciphers to offer, in OpenSSL's syntax.\n"
    " --tls-version : tlsv1.3, tlsv1.2 or tlsv1.1 (default tlsv1.2).\n"
    " --tls-alpn : the TLS ALPN protocol to ask for.\n"
    " --tls-engine : an OpenSSL engine to use.\n"
    " --tls-engine-kpass-sha1 : SHA-1 of the key password for the engine.\n"
    " --tls-use-os-certs : trust the system's CA certificates too.\n"
    " --insecure : do not check the broker certificate's host name. Unsafe.\n"
    " --psk : a TLS pre-shared key in hexadecimal.\n"
    " --psk-identity : the identity of the pre-shared key.\n"
    " --proxy : connect through socks5h://[username[:password]@]host[:port]\n";

constexpr const char* kConnectionSynopsis =
    "{[-h host] [--unix path] [-p port] [-u username] [-P password] -t topic | -L URL}\n";

constexpr const char* kCommonSynopsis =
    "[-A bind_address] [--nodelay] [-i id] [-I id_prefix] [-d] [--quiet] [-M max_inflight]\n"
    "    [--will-topic topic [--will-payload payload] [--will-qos qos] [--will-retain]]\n"
    "    [{--cafile file | --capath dir} [--cert file --key file [--keyform form]]\n"
    "     [--ciphers ciphers] [--tls-version version] [--tls-alpn protocol] [--insecure]\n"
    "     [--tls-engine engine [--tls-engine-kpass-sha1 sha1]] [--tls-use-os-certs]]\n"
    "    [--psk hex-key --psk-identity identity] [--proxy socks-url]\n"
    "    [-D command name value]...\n";

std::string pub_usage() {
  std::string text =
      "tern_pub publishes one message, a file, or each line of its input to one topic, then "
      "exits.\n" +
      version_line(Tool::pub) +
      "\n\n"
      "Usage: tern_pub " +
      kConnectionSynopsis +
      "    {-m message | -f file | -s | -l | -n}\n"
      "    [-c] [-k keepalive] [-q qos] [-r] [--repeat N] [--repeat-delay seconds]\n"
      "    [-x session-expiry] [-V version]\n    " +
      kCommonSynopsis +
      "       tern_pub --help\n\n"
      " -f : send the content of this file as the message.\n"
      " -l : send each line of standard input as a message.\n"
      " -m : the message to send.\n"
      " -n : send an empty message.\n"
      " -q : QoS of the message, 0, 1 or 2 (default 0).\n"
      " -r : make the message a retained message.\n"
      " -s : send all of standard input as one message.\n"
      " -t : the topic to publish to.\n"
      " --repeat : with -m, -f or -s, publish the message N times.\n"
      " --repeat-delay : seconds to wait between repeats (default 0).\n";
  return text + kConnectionHelp;
}

std::string sub_usage() {
  std::string text =
      "tern_sub subscribes to topics and prints the messages it receives.\n" +
      version_line(Tool::sub) +
      "\n\n"
      "Usage: tern_sub {[-h host] [--unix path] [-p port] [-u username] [-P password] -t topic "
      "| -L URL [-t topic]}\n"
      "    [-c] [-k keepalive] [-q qos] [-x session-expiry] [-V version]\n"
      "    [-C msg_count] [-E] [-R] [--retained-only] [--remove-retained] [-T filter_out]\n"
      "    [-U filter] [-F format [--pretty]] [-N] [-v] [-W timeout] [--random-filter percent]\n"
      "    [--retain-as-published]\n    " +
      kCommonSynopsis +
      "       tern_sub --help\n\n"
      " -C : exit after printing this many messages.\n"
      " -E : exit as soon as the subscriptions are acknowledged.\n"
      " -F : print each message with this format (see OUTPUT FORMAT in man mosquitto_sub).\n"
      " -N : print no newline after each message.\n"
      " -q : the subscriptions' maximum QoS (default 0).\n"
      " -R : skip retained messages (stale ones).\n"
      " -t : a topic filter to subscribe to; may be repeated.\n"
      " -T : do not print messages whose topic matches this filter; may be repeated.\n"
      " -U : unsubscribe from this filter (of a persistent session); may be repeated.\n"
      " -v : print the topic, a space, then the payload.\n"
      " -W : exit after this many seconds.\n"
      " --pretty : indent the JSON of -F %j and %J.\n"
      " --random-filter : print only this percentage of the messages, at random.\n"
      " --remove-retained : clear each retained message received (-T spares some).\n"
      " --retain-as-published : ask for the retain flag as the publisher set it (MQTT v5).\n"
      " --retained-only : print only retained messages; exit at the first that is not.\n";
  return text + kConnectionHelp;
}

std::string rr_usage() {
  std::string text =
      "tern_rr sends a request and prints the response, with MQTT v5's request/response\n"
      "properties (Response Topic and Correlation Data).\n" +
      version_line(Tool::rr) +
      "\n\n"
      "Usage: tern_rr " +
      kConnectionSynopsis +
      "    -e response-topic {-m message | -f file | -s | -n}\n"
      "    [-c] [-k keepalive] [-q qos] [-R] [-x session-expiry] [-V version]\n"
      "    [-F format [--pretty]] [-N] [-v] [-W timeout]\n    " +
      kCommonSynopsis +
      "       tern_rr --help\n\n"
      " -e : the response topic: subscribed to, and sent in the request (default MQTT v5).\n"
      " -f : send the content of this file as the request.\n"
      " -F : print the response with this format (see OUTPUT FORMAT in man mosquitto_sub).\n"
      " -m : the request to send.\n"
      " -n : send an empty request.\n"
      " -N : print no newline after the response.\n"
      " -q : QoS of the request and of the subscription (default 0).\n"
      " -R : skip retained responses.\n"
      " -s : send all of standard input as the request.\n"
      " -t : the topic of the request.\n"
      " -v : print the topic, a space, then the payload.\n"
      " -W : give up after this many seconds.\n"
      " --pretty : indent the JSON of -F %j and %J.\n";
  return text + kConnectionHelp;
}

}  // namespace

std::string version_line(Tool tool) {
  return std::string(tool_name(tool)) + " version " TERN_VERSION ".";
}

std::string usage(Tool tool) {
  switch (tool) {
    case Tool::pub:
      return pub_usage();
    case Tool::sub:
      return sub_usage();
    case Tool::rr:
      return rr_usage();
  }
  return {};
}

}  // namespace tern::tools

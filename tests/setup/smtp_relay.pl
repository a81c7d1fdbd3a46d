#!/usr/bin/perl
# A tiny SMTP relay for the tests: Dovecot's submission service forwards to it
# (submission_relay_host/port); it keeps a copy of every message in SPOOLDIR
# (one file per message: envelope lines "MAIL FROM:<..>", "RCPT TO:<..>", a blank
# line, then the message) and delivers it to Dovecot's LMTP so that a test can
# send with SMTP and read back with IMAP/POP3.
# Only perl-base modules. Loopback only. One forked child per connection.
#
#   perl smtp_relay.pl LISTEN_HOST LISTEN_PORT LMTP_HOST LMTP_PORT SPOOLDIR
use strict;
use warnings;
use IO::Socket::INET;
use POSIX ();

my ($host, $port, $lmtp_host, $lmtp_port, $spool) = @ARGV;
die "usage: $0 HOST PORT LMTP_HOST LMTP_PORT SPOOLDIR\n" unless defined $spool;
-d $spool or mkdir $spool or die "mkdir $spool: $!\n";

my $srv = IO::Socket::INET->new(LocalAddr => $host, LocalPort => $port, Proto => 'tcp',
                                Listen => 16, ReuseAddr => 1)
    or die "listen $host:$port: $!\n";
$SIG{CHLD} = sub { 1 while waitpid(-1, POSIX::WNOHANG()) > 0 };
$SIG{TERM} = sub { exit 0 };
$| = 1;
print "relay: listening on $host:$port, delivering to LMTP $lmtp_host:$lmtp_port\n";
my $seq = 0;

while (1) {
    my $c = $srv->accept or next;
    $seq++;
    my $pid = fork;
    if (!defined $pid) { close $c; next; }
    if ($pid) { close $c; next; }
    close $srv;
    $SIG{CHLD} = 'DEFAULT';
    session($c);
    exit 0;
}

sub out { my ($c, $l) = @_; print $c "$l\r\n"; }

sub session {
    my ($c) = @_;
    $c->autoflush(1);
    out($c, "220 localhost sqauth test relay ESMTP");
    my ($from, @rcpt);
    while (defined(my $line = <$c>)) {
        $line =~ s/\r?\n\z//;
        if ($line =~ /^(EHLO|HELO)\s/i) {
            ($from, @rcpt) = (undef);
            @rcpt = ();
            if (uc $1 eq 'EHLO') {
                out($c, "250-localhost"); out($c, "250-8BITMIME"); out($c, "250-ENHANCEDSTATUSCODES");
                out($c, "250 SIZE 10240000");
            } else {
                out($c, "250 localhost");
            }
        } elsif ($line =~ /^MAIL FROM:\s*(<[^>]*>)/i) {
            ($from, @rcpt) = ($1);
            @rcpt = ();
            out($c, "250 2.1.0 OK");
        } elsif ($line =~ /^RCPT TO:\s*(<[^>]*>)/i) {
            if (!defined $from) { out($c, "503 5.5.1 MAIL first"); next; }
            push @rcpt, $1;
            out($c, "250 2.1.5 OK");
        } elsif ($line =~ /^DATA\s*$/i) {
            if (!@rcpt) { out($c, "503 5.5.1 RCPT first"); next; }
            out($c, "354 go ahead");
            my @body;
            while (defined(my $d = <$c>)) {
                $d =~ s/\r?\n\z//;
                last if $d eq '.';
                push @body, $d;   # still dot-stuffed; forwarded as is
            }
            my $file = sprintf("%s/%d.%d.%d.eml", $spool, time, $$, $seq++);
            if (open(my $fh, '>', $file)) {
                print $fh "MAIL FROM:$from\n";
                print $fh "RCPT TO:$_\n" for @rcpt;
                print $fh "\n";
                for (@body) { my $l = $_; $l =~ s/^\.//; print $fh "$l\n"; }
                close $fh;
            }
            my $res = lmtp_deliver($from, \@rcpt, \@body);
            out($c, $res);
            print "relay: $from -> @rcpt: $res\n";
            ($from, @rcpt) = (undef);
            @rcpt = ();
        } elsif ($line =~ /^RSET\s*$/i) {
            ($from, @rcpt) = (undef);
            @rcpt = ();
            out($c, "250 2.0.0 OK");
        } elsif ($line =~ /^NOOP/i) {
            out($c, "250 2.0.0 OK");
        } elsif ($line =~ /^QUIT\s*$/i) {
            out($c, "221 2.0.0 bye");
            last;
        } else {
            out($c, "502 5.5.2 command not implemented");
        }
    }
    close $c;
}

# read one (possibly multi-line) reply; returns (code, text of the last line)
sub reply {
    my ($s) = @_;
    my $l;
    while (defined($l = <$s>)) {
        $l =~ s/\r?\n\z//;
        last if $l =~ /^\d{3}(?: |\z)/;
    }
    return (0, "no reply") unless defined $l;
    return (substr($l, 0, 3), $l);
}

sub lmtp_deliver {
    my ($from, $rcpt, $body) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => $lmtp_host, PeerPort => $lmtp_port, Proto => 'tcp',
                                  Timeout => 10)
        or return "451 4.4.1 LMTP connect failed: $!";
    $s->autoflush(1);
    my ($code, $text) = reply($s);
    return "451 4.4.2 LMTP greeting: $text" unless $code == 220;
    print $s "LHLO localhost\r\n";
    ($code, $text) = reply($s);
    return "451 4.4.2 LMTP LHLO: $text" unless $code == 250;
    print $s "MAIL FROM:$from\r\n";
    ($code, $text) = reply($s);
    return "451 4.4.2 LMTP MAIL: $text" unless $code == 250;
    my $ok = 0;
    for my $r (@$rcpt) {
        print $s "RCPT TO:$r\r\n";
        ($code, $text) = reply($s);
        return "550 5.1.1 LMTP rejected $r: $text" unless $code == 250;
        $ok++;
    }
    print $s "DATA\r\n";
    ($code, $text) = reply($s);
    return "451 4.4.2 LMTP DATA: $text" unless $code == 354;
    print $s "$_\r\n" for @$body;
    print $s ".\r\n";
    my @res;
    for (1 .. $ok) {
        ($code, $text) = reply($s);
        return "451 4.4.2 LMTP delivery: $text" unless $code == 250;
    }
    print $s "QUIT\r\n";
    close $s;
    return "250 2.0.0 delivered";
}

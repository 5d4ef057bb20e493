using Belfry.Core.Taxonomy;

namespace Belfry.Notify.Texts;

/// <summary>A kind of problem with its title and the advice on what to do about it.</summary>
internal sealed record AdviceTopic(string Key, Localized Title, Localized Text);

/// <summary>
/// What to do about each kind of problem. Looked up by classification.identifier (the Shadowserver
/// report identifiers as IntelMQ maps them), then by classification.type, then by RSIT taxonomy,
/// so every event gets specific advice where we have it and a sensible generic text otherwise.
/// </summary>
internal static class Advice
{
    public static readonly AdviceTopic RemoteDesktop = new(
        "remote-desktop",
        new("Remote desktop service reachable from the Internet",
            "Bureaublad op afstand bereikbaar vanaf het internet",
            "Service de bureau à distance accessible depuis Internet",
            "Remote-Desktop-Dienst aus dem Internet erreichbar"),
        new("Do not expose remote desktop services (RDP, VNC, ...) directly to the Internet: they are a favourite "
            + "entry point for ransomware gangs. Make them reachable only through a VPN with multi-factor "
            + "authentication, or restrict access to known IP addresses, and install the latest security updates.",
            "Stel diensten voor bureaublad op afstand (RDP, VNC, ...) niet rechtstreeks open op het internet: "
            + "ransomwarebendes gebruiken ze graag als toegangspoort. Maak ze enkel bereikbaar via een VPN met "
            + "multifactorauthenticatie, of beperk de toegang tot gekende IP-adressen, en installeer de nieuwste "
            + "beveiligingsupdates.",
            "N'exposez pas directement les services de bureau à distance (RDP, VNC, ...) sur Internet : ils sont une "
            + "porte d'entrée privilégiée des groupes de rançongiciels. Rendez-les accessibles uniquement via un VPN "
            + "avec authentification multifacteur, ou limitez l'accès à des adresses IP connues, et installez les "
            + "dernières mises à jour de sécurité.",
            "Stellen Sie Remote-Desktop-Dienste (RDP, VNC, ...) nicht direkt ins Internet: Sie sind ein bevorzugtes "
            + "Einfallstor für Ransomware-Gruppen. Machen Sie sie nur über ein VPN mit Multi-Faktor-Authentifizierung "
            + "erreichbar oder beschränken Sie den Zugriff auf bekannte IP-Adressen, und installieren Sie die neuesten "
            + "Sicherheitsupdates."));

    public static readonly AdviceTopic Smb = new(
        "smb",
        new("Windows file sharing (SMB/NetBIOS) reachable from the Internet",
            "Windows-bestandsdeling (SMB/NetBIOS) bereikbaar vanaf het internet",
            "Partage de fichiers Windows (SMB/NetBIOS) accessible depuis Internet",
            "Windows-Dateifreigabe (SMB/NetBIOS) aus dem Internet erreichbar"),
        new("Block SMB (TCP 445), NetBIOS (TCP/UDP 137-139) and MS-RPC (TCP 135) at your firewall for traffic from "
            + "the Internet. These protocols are meant for internal networks only and have been abused by worms such "
            + "as WannaCry. Use a VPN or a secure file-sharing service for remote access.",
            "Blokkeer SMB (TCP 445), NetBIOS (TCP/UDP 137-139) en MS-RPC (TCP 135) op uw firewall voor verkeer vanaf "
            + "het internet. Deze protocollen zijn enkel bedoeld voor interne netwerken en werden misbruikt door wormen "
            + "zoals WannaCry. Gebruik een VPN of een veilige dienst voor het delen van bestanden voor toegang op afstand.",
            "Bloquez SMB (TCP 445), NetBIOS (TCP/UDP 137-139) et MS-RPC (TCP 135) sur votre pare-feu pour le trafic "
            + "provenant d'Internet. Ces protocoles sont destinés aux seuls réseaux internes et ont été exploités par "
            + "des vers comme WannaCry. Pour l'accès à distance, utilisez un VPN ou un service de partage de fichiers "
            + "sécurisé.",
            "Blockieren Sie SMB (TCP 445), NetBIOS (TCP/UDP 137-139) und MS-RPC (TCP 135) an Ihrer Firewall für "
            + "Verkehr aus dem Internet. Diese Protokolle sind nur für interne Netzwerke gedacht und wurden von Würmern "
            + "wie WannaCry ausgenutzt. Verwenden Sie für den Fernzugriff ein VPN oder einen sicheren "
            + "Dateifreigabedienst."));

    public static readonly AdviceTopic Telnet = new(
        "telnet",
        new("Telnet service reachable from the Internet",
            "Telnetdienst bereikbaar vanaf het internet",
            "Service Telnet accessible depuis Internet",
            "Telnet-Dienst aus dem Internet erreichbar"),
        new("Telnet sends passwords unencrypted and is scanned massively by botnets such as Mirai. Disable Telnet "
            + "and use SSH with strong passwords or keys instead; if the device does not allow this, place it behind "
            + "a firewall. Change any default passwords.",
            "Telnet verstuurt wachtwoorden onversleuteld en wordt massaal gescand door botnets zoals Mirai. Schakel "
            + "Telnet uit en gebruik in de plaats SSH met sterke wachtwoorden of sleutels; laat het toestel dat niet "
            + "toe, plaats het dan achter een firewall. Wijzig alle standaardwachtwoorden.",
            "Telnet transmet les mots de passe en clair et est massivement scanné par des botnets comme Mirai. "
            + "Désactivez Telnet et utilisez plutôt SSH avec des mots de passe robustes ou des clés ; si l'appareil ne "
            + "le permet pas, placez-le derrière un pare-feu. Modifiez tous les mots de passe par défaut.",
            "Telnet überträgt Passwörter unverschlüsselt und wird von Botnetzen wie Mirai massenhaft gescannt. "
            + "Deaktivieren Sie Telnet und verwenden Sie stattdessen SSH mit starken Passwörtern oder Schlüsseln; lässt "
            + "das Gerät das nicht zu, stellen Sie es hinter eine Firewall. Ändern Sie alle Standardpasswörter."));

    public static readonly AdviceTopic DnsResolver = new(
        "dns-resolver",
        new("Open DNS resolver", "Open DNS-resolver", "Résolveur DNS ouvert", "Offener DNS-Resolver"),
        new("Your DNS server answers recursive queries from anyone on the Internet and can be abused for DDoS "
            + "amplification attacks. Restrict recursion to your own networks (for example with 'allow-recursion' in "
            + "BIND or 'access-control' in Unbound), or disable recursion if the server is only authoritative.",
            "Uw DNS-server beantwoordt recursieve zoekopdrachten van iedereen op het internet en kan misbruikt worden "
            + "voor DDoS-aanvallen via amplificatie. Beperk recursie tot uw eigen netwerken (bijvoorbeeld met "
            + "'allow-recursion' in BIND of 'access-control' in Unbound), of schakel recursie uit als de server enkel "
            + "gezaghebbend is.",
            "Votre serveur DNS répond aux requêtes récursives de n'importe qui sur Internet et peut être détourné pour "
            + "des attaques DDoS par amplification. Limitez la récursion à vos propres réseaux (par exemple avec "
            + "« allow-recursion » dans BIND ou « access-control » dans Unbound), ou désactivez-la si le serveur fait "
            + "uniquement autorité.",
            "Ihr DNS-Server beantwortet rekursive Anfragen beliebiger Absender im Internet und kann für "
            + "DDoS-Verstärkungsangriffe missbraucht werden. Beschränken Sie die Rekursion auf Ihre eigenen Netzwerke "
            + "(zum Beispiel mit „allow-recursion“ in BIND oder „access-control“ in Unbound) oder deaktivieren Sie sie, "
            + "wenn der Server nur autoritativ ist."));

    public static readonly AdviceTopic Ntp = new(
        "ntp",
        new("NTP server usable for amplification",
            "NTP-server bruikbaar voor amplificatie",
            "Serveur NTP utilisable pour l'amplification",
            "Für Verstärkungsangriffe nutzbarer NTP-Server"),
        new("Your NTP server answers 'monlist' or version/status queries from the Internet, which attackers use to "
            + "amplify DDoS attacks. Update the NTP software, disable the monitor function ('disable monitor') and "
            + "restrict status queries with 'restrict default kod nomodify notrap nopeer noquery'.",
            "Uw NTP-server beantwoordt 'monlist'- of versie- en statusopvragingen vanaf het internet, waarmee "
            + "aanvallers DDoS-aanvallen versterken. Werk de NTP-software bij, schakel de monitorfunctie uit "
            + "('disable monitor') en beperk statusopvragingen met 'restrict default kod nomodify notrap nopeer noquery'.",
            "Votre serveur NTP répond depuis Internet aux requêtes « monlist » ou de version et de statut, que des "
            + "attaquants utilisent pour amplifier des attaques DDoS. Mettez à jour le logiciel NTP, désactivez la "
            + "fonction de monitoring (« disable monitor ») et limitez les requêtes de statut avec « restrict default "
            + "kod nomodify notrap nopeer noquery ».",
            "Ihr NTP-Server beantwortet „monlist“- oder Versions- und Statusabfragen aus dem Internet, mit denen "
            + "Angreifer DDoS-Angriffe verstärken. Aktualisieren Sie die NTP-Software, deaktivieren Sie die "
            + "Monitor-Funktion („disable monitor“) und beschränken Sie Statusabfragen mit „restrict default kod "
            + "nomodify notrap nopeer noquery“."));

    public static readonly AdviceTopic Amplifier = new(
        "amplifier",
        new("Service usable for DDoS amplification",
            "Dienst bruikbaar voor DDoS-amplificatie",
            "Service utilisable pour l'amplification DDoS",
            "Für DDoS-Verstärkung nutzbarer Dienst"),
        new("This UDP service (for example SSDP/UPnP, SNMP, chargen, mDNS, portmapper, WS-Discovery or CLDAP) answers "
            + "anyone on the Internet with much larger replies and is abused to amplify DDoS attacks. Disable the "
            + "service if you do not need it, or block it at your firewall for traffic from the Internet; on consumer "
            + "devices, switch off UPnP on the Internet side.",
            "Deze UDP-dienst (bijvoorbeeld SSDP/UPnP, SNMP, chargen, mDNS, portmapper, WS-Discovery of CLDAP) "
            + "beantwoordt verzoeken van iedereen op het internet met veel grotere antwoorden en wordt misbruikt om "
            + "DDoS-aanvallen te versterken. Schakel de dienst uit als u hem niet nodig hebt, of blokkeer hem op uw "
            + "firewall voor verkeer vanaf het internet; schakel op consumententoestellen UPnP aan de internetzijde uit.",
            "Ce service UDP (par exemple SSDP/UPnP, SNMP, chargen, mDNS, portmapper, WS-Discovery ou CLDAP) répond à "
            + "n'importe qui sur Internet par des réponses beaucoup plus volumineuses et est détourné pour amplifier "
            + "des attaques DDoS. Désactivez le service si vous n'en avez pas besoin, ou bloquez-le sur votre pare-feu "
            + "pour le trafic provenant d'Internet ; sur les appareils grand public, désactivez l'UPnP côté Internet.",
            "Dieser UDP-Dienst (zum Beispiel SSDP/UPnP, SNMP, Chargen, mDNS, Portmapper, WS-Discovery oder CLDAP) "
            + "beantwortet Anfragen beliebiger Absender im Internet mit viel größeren Antworten und wird zur Verstärkung "
            + "von DDoS-Angriffen missbraucht. Deaktivieren Sie den Dienst, wenn Sie ihn nicht benötigen, oder "
            + "blockieren Sie ihn an Ihrer Firewall für Verkehr aus dem Internet; schalten Sie bei Endkundengeräten "
            + "UPnP auf der Internetseite ab."));

    public static readonly AdviceTopic Memcached = new(
        "memcached",
        new("Open memcached server", "Open memcached-server", "Serveur memcached ouvert", "Offener Memcached-Server"),
        new("A memcached server reachable from the Internet can be abused for some of the largest DDoS amplification "
            + "attacks ever seen, and exposes cached data. Bind memcached to localhost or your internal network, "
            + "disable UDP (option '-U 0') and block port 11211 at your firewall.",
            "Een memcached-server die bereikbaar is vanaf het internet kan misbruikt worden voor enkele van de "
            + "grootste DDoS-amplificatieaanvallen ooit, en geeft gecachete gegevens prijs. Laat memcached enkel "
            + "luisteren op localhost of uw interne netwerk, schakel UDP uit (optie '-U 0') en blokkeer poort 11211 "
            + "op uw firewall.",
            "Un serveur memcached accessible depuis Internet peut être détourné pour certaines des plus grandes "
            + "attaques DDoS par amplification jamais observées, et expose les données en cache. Limitez l'écoute de "
            + "memcached à localhost ou à votre réseau interne, désactivez UDP (option « -U 0 ») et bloquez le port "
            + "11211 sur votre pare-feu.",
            "Ein aus dem Internet erreichbarer Memcached-Server kann für einige der größten jemals beobachteten "
            + "DDoS-Verstärkungsangriffe missbraucht werden und gibt zwischengespeicherte Daten preis. Binden Sie "
            + "Memcached an localhost oder Ihr internes Netz, deaktivieren Sie UDP (Option „-U 0“) und blockieren Sie "
            + "Port 11211 an Ihrer Firewall."));

    public static readonly AdviceTopic DataStore = new(
        "data-store",
        new("Database or data service reachable from the Internet",
            "Databank of datadienst bereikbaar vanaf het internet",
            "Base de données ou service de données accessible depuis Internet",
            "Datenbank oder Datendienst aus dem Internet erreichbar"),
        new("Databases and data services (Elasticsearch, MongoDB, Redis, MySQL, Docker or Kubernetes APIs, message "
            + "brokers, ...) that are reachable from the Internet risk data theft, extortion and takeover of the "
            + "server. Make sure the service listens only on internal interfaces or is shielded by a firewall, "
            + "require authentication, and check whether data has already been accessed.",
            "Databanken en datadiensten (Elasticsearch, MongoDB, Redis, MySQL, Docker- of Kubernetes-API's, "
            + "message brokers, ...) die bereikbaar zijn vanaf het internet lopen het risico op diefstal van gegevens, "
            + "afpersing en overname van de server. Zorg dat de dienst enkel op interne interfaces luistert of door een "
            + "firewall wordt afgeschermd, vereis authenticatie en ga na of er al gegevens werden ingekeken.",
            "Les bases de données et services de données (Elasticsearch, MongoDB, Redis, MySQL, API Docker ou "
            + "Kubernetes, courtiers de messages, ...) accessibles depuis Internet exposent à un vol de données, à une "
            + "extorsion et à la prise de contrôle du serveur. Veillez à ce que le service n'écoute que sur des "
            + "interfaces internes ou soit protégé par un pare-feu, exigez une authentification et vérifiez si des "
            + "données ont déjà été consultées.",
            "Aus dem Internet erreichbare Datenbanken und Datendienste (Elasticsearch, MongoDB, Redis, MySQL, Docker- "
            + "oder Kubernetes-APIs, Message Broker, ...) bergen das Risiko von Datendiebstahl, Erpressung und "
            + "Übernahme des Servers. Sorgen Sie dafür, dass der Dienst nur auf internen Schnittstellen lauscht oder "
            + "durch eine Firewall geschützt ist, verlangen Sie eine Authentifizierung und prüfen Sie, ob bereits auf "
            + "Daten zugegriffen wurde."));

    public static readonly AdviceTopic Management = new(
        "management",
        new("Device management interface reachable from the Internet",
            "Beheerinterface van een toestel bereikbaar vanaf het internet",
            "Interface d'administration d'un appareil accessible depuis Internet",
            "Verwaltungsschnittstelle eines Geräts aus dem Internet erreichbar"),
        new("Management interfaces of servers, network equipment and industrial controllers (IPMI/BMC, Cisco Smart "
            + "Install, TR-069, Android Debug Bridge, Modbus, ...) must never be reachable from the Internet: they "
            + "often give full control of the device. Move them to a separate management network or behind a VPN, "
            + "block them at the firewall and install the manufacturer's security updates.",
            "Beheerinterfaces van servers, netwerkapparatuur en industriële controllers (IPMI/BMC, Cisco Smart "
            + "Install, TR-069, Android Debug Bridge, Modbus, ...) mogen nooit bereikbaar zijn vanaf het internet: ze "
            + "geven vaak volledige controle over het toestel. Verplaats ze naar een apart beheernetwerk of achter een "
            + "VPN, blokkeer ze op de firewall en installeer de beveiligingsupdates van de fabrikant.",
            "Les interfaces d'administration des serveurs, des équipements réseau et des automates industriels "
            + "(IPMI/BMC, Cisco Smart Install, TR-069, Android Debug Bridge, Modbus, ...) ne doivent jamais être "
            + "accessibles depuis Internet : elles permettent souvent de prendre le contrôle total de l'appareil. "
            + "Placez-les dans un réseau d'administration séparé ou derrière un VPN, bloquez-les sur le pare-feu et "
            + "appliquez les mises à jour de sécurité du fabricant.",
            "Verwaltungsschnittstellen von Servern, Netzwerkgeräten und industriellen Steuerungen (IPMI/BMC, Cisco "
            + "Smart Install, TR-069, Android Debug Bridge, Modbus, ...) dürfen niemals aus dem Internet erreichbar "
            + "sein: Sie erlauben oft die vollständige Kontrolle über das Gerät. Verlegen Sie sie in ein separates "
            + "Verwaltungsnetz oder hinter ein VPN, blockieren Sie sie an der Firewall und installieren Sie die "
            + "Sicherheitsupdates des Herstellers."));

    public static readonly AdviceTopic VulnerableWeb = new(
        "vulnerable-web",
        new("Vulnerable web server or application",
            "Kwetsbare webserver of webtoepassing",
            "Serveur ou application web vulnérable",
            "Verwundbarer Webserver oder verwundbare Webanwendung"),
        new("A web server or web application at this address runs software with known vulnerabilities (the attached "
            + "file names the product and, where known, the CVE). Install the vendor's security updates without delay, "
            + "check the system for signs of compromise, and take management interfaces that need not be public off "
            + "the Internet.",
            "Een webserver of webtoepassing op dit adres draait software met gekende kwetsbaarheden (het bijgevoegde "
            + "bestand vermeldt het product en, indien gekend, de CVE). Installeer onverwijld de beveiligingsupdates van "
            + "de leverancier, controleer het systeem op sporen van inbraak en haal beheerinterfaces die niet publiek "
            + "hoeven te zijn van het internet.",
            "Un serveur ou une application web à cette adresse utilise un logiciel présentant des vulnérabilités "
            + "connues (le fichier joint indique le produit et, le cas échéant, la CVE). Installez sans délai les mises "
            + "à jour de sécurité de l'éditeur, vérifiez que le système ne présente pas de traces de compromission et "
            + "retirez d'Internet les interfaces d'administration qui n'ont pas besoin d'être publiques.",
            "Ein Webserver oder eine Webanwendung unter dieser Adresse verwendet Software mit bekannten Schwachstellen "
            + "(die beigefügte Datei nennt das Produkt und, soweit bekannt, die CVE). Installieren Sie umgehend die "
            + "Sicherheitsupdates des Herstellers, prüfen Sie das System auf Anzeichen einer Kompromittierung und "
            + "nehmen Sie Verwaltungsoberflächen, die nicht öffentlich sein müssen, aus dem Internet."));

    public static readonly AdviceTopic WeakCrypto = new(
        "weak-crypto",
        new("Outdated software or weak encryption",
            "Verouderde software of zwakke versleuteling",
            "Logiciel obsolète ou chiffrement faible",
            "Veraltete Software oder schwache Verschlüsselung"),
        new("The service uses outdated software or weak encryption settings (for example SSLv3, export ciphers or "
            + "publicly known default keys). Update the software, disable obsolete protocols and ciphers (allow only "
            + "TLS 1.2 and 1.3), and replace default or leaked keys and certificates.",
            "De dienst gebruikt verouderde software of zwakke versleutelingsinstellingen (bijvoorbeeld SSLv3, "
            + "exportcijfers of publiek gekende standaardsleutels). Werk de software bij, schakel verouderde protocollen "
            + "en cijfers uit (laat enkel TLS 1.2 en 1.3 toe) en vervang standaardsleutels of uitgelekte sleutels en "
            + "certificaten.",
            "Le service utilise un logiciel obsolète ou des paramètres de chiffrement faibles (par exemple SSLv3, des "
            + "suites de chiffrement d'exportation ou des clés par défaut publiquement connues). Mettez à jour le "
            + "logiciel, désactivez les protocoles et suites de chiffrement obsolètes (n'autorisez que TLS 1.2 et 1.3) "
            + "et remplacez les clés et certificats par défaut ou divulgués.",
            "Der Dienst verwendet veraltete Software oder schwache Verschlüsselungseinstellungen (zum Beispiel SSLv3, "
            + "Export-Cipher oder öffentlich bekannte Standardschlüssel). Aktualisieren Sie die Software, deaktivieren "
            + "Sie veraltete Protokolle und Cipher (erlauben Sie nur TLS 1.2 und 1.3) und ersetzen Sie Standard- oder "
            + "offengelegte Schlüssel und Zertifikate."));

    public static readonly AdviceTopic ExposedService = new(
        "exposed-service",
        new("Vulnerable or exposed service",
            "Kwetsbare of blootgestelde dienst",
            "Service vulnérable ou exposé",
            "Verwundbarer oder exponierter Dienst"),
        new("A service at this address is reachable from the Internet and is vulnerable or should not be public. "
            + "Check whether it really needs to be reachable from the Internet; if not, block it at your firewall. In "
            + "any case, install the latest security updates and use strong authentication.",
            "Een dienst op dit adres is bereikbaar vanaf het internet en is kwetsbaar of hoort niet publiek te zijn. "
            + "Ga na of hij echt vanaf het internet bereikbaar moet zijn; zo niet, blokkeer hem dan op uw firewall. "
            + "Installeer in elk geval de nieuwste beveiligingsupdates en gebruik sterke authenticatie.",
            "Un service à cette adresse est accessible depuis Internet et est vulnérable ou ne devrait pas être public. "
            + "Vérifiez s'il doit réellement être accessible depuis Internet ; sinon, bloquez-le sur votre pare-feu. "
            + "Dans tous les cas, installez les dernières mises à jour de sécurité et utilisez une authentification forte.",
            "Ein Dienst unter dieser Adresse ist aus dem Internet erreichbar und verwundbar oder sollte nicht öffentlich "
            + "sein. Prüfen Sie, ob er wirklich aus dem Internet erreichbar sein muss; falls nicht, blockieren Sie ihn "
            + "an Ihrer Firewall. Installieren Sie in jedem Fall die neuesten Sicherheitsupdates und verwenden Sie eine "
            + "starke Authentifizierung."));

    public static readonly AdviceTopic Infected = new(
        "infected",
        new("Infected system", "Besmet systeem", "Système infecté", "Infiziertes System"),
        new("A device behind this address contacted the infrastructure of a botnet or a sinkhole, which indicates a "
            + "malware infection. Identify the device (with your firewall or NAT logs at the time given in the "
            + "attached file), disconnect it from the network, clean or reinstall it, and change the passwords that "
            + "were used on it.",
            "Een toestel achter dit adres heeft contact gelegd met de infrastructuur van een botnet of met een "
            + "sinkhole, wat wijst op een besmetting met malware. Identificeer het toestel (met uw firewall- of "
            + "NAT-logs op het tijdstip in het bijgevoegde bestand), koppel het los van het netwerk, maak het schoon of "
            + "herinstalleer het, en wijzig de wachtwoorden die erop gebruikt werden.",
            "Un appareil derrière cette adresse a contacté l'infrastructure d'un botnet ou un « sinkhole », ce qui "
            + "indique une infection par un logiciel malveillant. Identifiez l'appareil (grâce aux journaux de votre "
            + "pare-feu ou de votre NAT à l'heure indiquée dans le fichier joint), déconnectez-le du réseau, "
            + "nettoyez-le ou réinstallez-le, et changez les mots de passe qui y ont été utilisés.",
            "Ein Gerät hinter dieser Adresse hat Kontakt zur Infrastruktur eines Botnetzes oder zu einem Sinkhole "
            + "aufgenommen, was auf eine Infektion mit Schadsoftware hinweist. Ermitteln Sie das Gerät (anhand Ihrer "
            + "Firewall- oder NAT-Protokolle zum in der beigefügten Datei angegebenen Zeitpunkt), trennen Sie es vom "
            + "Netz, bereinigen oder installieren Sie es neu und ändern Sie die darauf verwendeten Passwörter."));

    public static readonly AdviceTopic CommandAndControl = new(
        "c2",
        new("Botnet command-and-control server",
            "Command-and-controlserver van een botnet",
            "Serveur de commande et de contrôle d'un botnet",
            "Command-and-Control-Server eines Botnetzes"),
        new("This address hosts a server that controls infected computers (a command-and-control server). The server "
            + "is probably compromised or rented by criminals. Take it offline or isolate it, preserve logs and a disk "
            + "image for investigation, and contact us: we can help with the analysis and with warning the victims.",
            "Op dit adres draait een server die besmette computers aanstuurt (een command-and-controlserver). De "
            + "server is waarschijnlijk gecompromitteerd of door criminelen gehuurd. Haal hem offline of isoleer hem, "
            + "bewaar logs en een schijfkopie voor onderzoek, en neem contact met ons op: wij helpen bij de analyse en "
            + "bij het verwittigen van de slachtoffers.",
            "Cette adresse héberge un serveur qui pilote des ordinateurs infectés (serveur de commande et de contrôle). "
            + "Le serveur est probablement compromis ou loué par des criminels. Mettez-le hors ligne ou isolez-le, "
            + "conservez les journaux et une image disque pour l'enquête, et contactez-nous : nous pouvons vous aider "
            + "dans l'analyse et pour avertir les victimes.",
            "Unter dieser Adresse läuft ein Server, der infizierte Computer steuert (ein Command-and-Control-Server). "
            + "Der Server ist vermutlich kompromittiert oder von Kriminellen angemietet. Nehmen Sie ihn vom Netz oder "
            + "isolieren Sie ihn, sichern Sie Protokolle und ein Festplattenabbild für die Untersuchung und "
            + "kontaktieren Sie uns: Wir unterstützen Sie bei der Analyse und bei der Warnung der Opfer."));

    public static readonly AdviceTopic Phishing = new(
        "phishing",
        new("Phishing site", "Phishingsite", "Site d'hameçonnage", "Phishing-Seite"),
        new("A phishing page imitating a trusted brand is hosted at this address or URL. Remove the page, find out how "
            + "it got there (usually a hacked CMS, plugin or hosting account), close that hole and change the "
            + "passwords of the hosting account, otherwise it will come back.",
            "Op dit adres of deze URL staat een phishingpagina die een vertrouwd merk nabootst. Verwijder de pagina, "
            + "zoek uit hoe ze erop terechtkwam (meestal via een gehackt CMS, een plug-in of een gehackte "
            + "hostingaccount), dicht dat lek en wijzig de wachtwoorden van de hostingaccount, anders komt ze terug.",
            "Une page d'hameçonnage imitant une marque de confiance est hébergée à cette adresse ou URL. Supprimez la "
            + "page, déterminez comment elle est arrivée là (généralement via un CMS, un plugin ou un compte "
            + "d'hébergement piratés), corrigez cette faille et changez les mots de passe du compte d'hébergement, "
            + "sinon elle réapparaîtra.",
            "Unter dieser Adresse oder URL wird eine Phishing-Seite gehostet, die eine vertrauenswürdige Marke "
            + "nachahmt. Entfernen Sie die Seite, ermitteln Sie, wie sie dorthin gelangt ist (meist über ein gehacktes "
            + "CMS, Plugin oder Hosting-Konto), schließen Sie diese Lücke und ändern Sie die Passwörter des "
            + "Hosting-Kontos, sonst taucht sie wieder auf."));

    public static readonly AdviceTopic MalwareDistribution = new(
        "malware-distribution",
        new("Malware distribution", "Verspreiding van malware", "Distribution de logiciels malveillants",
            "Verbreitung von Schadsoftware"),
        new("Malicious software is offered for download at this address or URL. Remove the files, find and close the "
            + "way the attacker got in (outdated CMS or plugins, stolen credentials) and check the server for other "
            + "changes.",
            "Op dit adres of deze URL wordt kwaadaardige software aangeboden om te downloaden. Verwijder de bestanden, "
            + "zoek en dicht de weg waarlangs de aanvaller binnenkwam (verouderd CMS of verouderde plug-ins, gestolen "
            + "inloggegevens) en controleer de server op andere wijzigingen.",
            "Des logiciels malveillants sont proposés au téléchargement à cette adresse ou URL. Supprimez les fichiers, "
            + "identifiez et fermez la voie d'entrée de l'attaquant (CMS ou plugins obsolètes, identifiants volés) et "
            + "vérifiez que le serveur ne présente pas d'autres modifications.",
            "Unter dieser Adresse oder URL wird Schadsoftware zum Herunterladen angeboten. Entfernen Sie die Dateien, "
            + "finden und schließen Sie den Weg, über den der Angreifer eingedrungen ist (veraltetes CMS oder Plugins, "
            + "gestohlene Zugangsdaten), und prüfen Sie den Server auf weitere Änderungen."));

    public static readonly AdviceTopic Ddos = new(
        "ddos",
        new("DDoS attack", "DDoS-aanval", "Attaque DDoS", "DDoS-Angriff"),
        new("This address took part in, or was the target of, a denial-of-service attack. If it sent attack traffic, "
            + "look for an infected device or a misused service (amplifier) and fix it; if it was the target, ask "
            + "your Internet provider which DDoS protection it offers and give it the details from the attached file.",
            "Dit adres nam deel aan een denial-of-serviceaanval of was er het doelwit van. Verstuurde het "
            + "aanvalsverkeer, zoek dan naar een besmet toestel of een misbruikte dienst (amplificator) en los dat op; "
            + "was het het doelwit, vraag dan aan uw internetprovider welke DDoS-bescherming hij aanbiedt en bezorg hem "
            + "de details uit het bijgevoegde bestand.",
            "Cette adresse a participé à une attaque par déni de service ou en a été la cible. Si elle a émis du trafic "
            + "d'attaque, recherchez un appareil infecté ou un service détourné (amplificateur) et corrigez-le ; si "
            + "elle a été visée, demandez à votre fournisseur d'accès quelle protection DDoS il propose et "
            + "transmettez-lui les détails figurant dans le fichier joint.",
            "Diese Adresse war an einem Denial-of-Service-Angriff beteiligt oder dessen Ziel. Hat sie Angriffsverkehr "
            + "gesendet, suchen Sie nach einem infizierten Gerät oder einem missbrauchten Dienst (Verstärker) und "
            + "beheben Sie das Problem; war sie das Ziel, fragen Sie Ihren Internetanbieter, welchen DDoS-Schutz er "
            + "anbietet, und geben Sie ihm die Angaben aus der beigefügten Datei."));

    public static readonly AdviceTopic Blocklist = new(
        "blocklist",
        new("Address on a blocklist", "Adres op een blokkeerlijst", "Adresse sur une liste de blocage",
            "Adresse auf einer Sperrliste"),
        new("This address is on a public blocklist, usually because spam, scans or malware came from it, so mail and "
            + "traffic from it may be refused elsewhere. Find and fix the cause (often an infected device or a misused "
            + "mail server), then ask the list operator to remove the address.",
            "Dit adres staat op een publieke blokkeerlijst, meestal omdat er spam, scans of malware van afkomstig "
            + "waren; e-mail en verkeer van dit adres kunnen daardoor elders geweigerd worden. Zoek en verhelp de "
            + "oorzaak (vaak een besmet toestel of een misbruikte mailserver) en vraag daarna de beheerder van de lijst "
            + "om het adres te verwijderen.",
            "Cette adresse figure sur une liste de blocage publique, généralement parce que du spam, des scans ou des "
            + "logiciels malveillants en provenaient ; les e-mails et le trafic qui en proviennent peuvent donc être "
            + "refusés ailleurs. Identifiez et corrigez la cause (souvent un appareil infecté ou un serveur de "
            + "messagerie détourné), puis demandez au gestionnaire de la liste de retirer l'adresse.",
            "Diese Adresse steht auf einer öffentlichen Sperrliste, meist weil Spam, Scans oder Schadsoftware von ihr "
            + "ausgingen; E-Mails und Verkehr von dieser Adresse werden daher anderswo möglicherweise abgewiesen. "
            + "Ermitteln und beheben Sie die Ursache (oft ein infiziertes Gerät oder ein missbrauchter Mailserver) und "
            + "bitten Sie anschließend den Betreiber der Liste, die Adresse zu entfernen."));

    public static readonly AdviceTopic Compromised = new(
        "compromised",
        new("Compromised system", "Gecompromitteerd systeem", "Système compromis", "Kompromittiertes System"),
        new("There are strong signs that this system has been broken into. Isolate it, preserve logs and evidence, "
            + "find out how the attacker got in, and rebuild the system from a trusted source rather than only "
            + "removing what you find. Report serious incidents to us; NIS2 entities must do so within 24 hours.",
            "Er zijn sterke aanwijzingen dat er in dit systeem werd ingebroken. Isoleer het, bewaar logs en "
            + "bewijsmateriaal, zoek uit hoe de aanvaller binnenkwam en bouw het systeem opnieuw op vanuit een "
            + "betrouwbare bron in plaats van enkel te verwijderen wat u vindt. Meld ernstige incidenten aan ons; "
            + "NIS2-entiteiten moeten dat binnen 24 uur doen.",
            "Tout indique que ce système a fait l'objet d'une intrusion. Isolez-le, conservez les journaux et les "
            + "preuves, déterminez comment l'attaquant est entré et reconstruisez le système à partir d'une source "
            + "fiable plutôt que de vous contenter de supprimer ce que vous trouvez. Signalez-nous les incidents graves ; "
            + "les entités NIS2 doivent le faire dans les 24 heures.",
            "Es gibt deutliche Hinweise darauf, dass in dieses System eingebrochen wurde. Isolieren Sie es, sichern Sie "
            + "Protokolle und Beweise, ermitteln Sie, wie der Angreifer eingedrungen ist, und bauen Sie das System aus "
            + "einer vertrauenswürdigen Quelle neu auf, statt nur das Gefundene zu entfernen. Melden Sie uns "
            + "schwerwiegende Vorfälle; NIS2-Einrichtungen müssen dies innerhalb von 24 Stunden tun."));

    public static readonly AdviceTopic Scanner = new(
        "scanner",
        new("System scanning or attacking others",
            "Systeem dat andere systemen scant of aanvalt",
            "Système qui scanne ou attaque d'autres systèmes",
            "System, das andere Systeme scannt oder angreift"),
        new("This address was seen scanning the Internet or trying passwords on other systems (recorded by honeypots). "
            + "That usually means a device is infected or misused. Identify the device from your logs at the times in "
            + "the attached file and clean it; if the scanning is intended (for example a security test), let us know.",
            "Dit adres werd gezien terwijl het het internet scande of wachtwoorden uitprobeerde op andere systemen "
            + "(vastgesteld door honeypots). Dat betekent meestal dat een toestel besmet is of misbruikt wordt. "
            + "Identificeer het toestel aan de hand van uw logs op de tijdstippen in het bijgevoegde bestand en maak "
            + "het schoon; is het scannen gewild (bijvoorbeeld een beveiligingstest), laat het ons dan weten.",
            "Cette adresse a été vue en train de scanner Internet ou de tester des mots de passe sur d'autres systèmes "
            + "(observé par des pots de miel). Cela signifie généralement qu'un appareil est infecté ou détourné. "
            + "Identifiez l'appareil à l'aide de vos journaux aux heures indiquées dans le fichier joint et "
            + "nettoyez-le ; si le scan est voulu (par exemple un test de sécurité), faites-le-nous savoir.",
            "Diese Adresse wurde dabei beobachtet, wie sie das Internet scannte oder Passwörter an anderen Systemen "
            + "ausprobierte (von Honeypots erfasst). Das bedeutet meist, dass ein Gerät infiziert ist oder missbraucht "
            + "wird. Ermitteln Sie das Gerät anhand Ihrer Protokolle zu den Zeitpunkten in der beigefügten Datei und "
            + "bereinigen Sie es; ist das Scannen beabsichtigt (zum Beispiel ein Sicherheitstest), teilen Sie uns das "
            + "bitte mit."));

    public static readonly AdviceTopic Spam = new(
        "spam",
        new("Spam", "Spam", "Spam", "Spam"),
        new("Spam was sent from this address, or advertises it. Check your mail servers and user accounts for abuse "
            + "(often a stolen password), and make sure no device sends e-mail directly to the Internet without your "
            + "knowledge.",
            "Vanaf dit adres werd spam verstuurd, of de spam maakt er reclame voor. Controleer uw mailservers en "
            + "gebruikersaccounts op misbruik (vaak een gestolen wachtwoord) en zorg dat geen enkel toestel buiten uw "
            + "medeweten rechtstreeks e-mail naar het internet verstuurt.",
            "Du spam a été envoyé depuis cette adresse, ou en fait la promotion. Vérifiez que vos serveurs de "
            + "messagerie et comptes utilisateurs ne sont pas détournés (souvent via un mot de passe volé) et "
            + "qu'aucun appareil n'envoie d'e-mails directement vers Internet à votre insu.",
            "Von dieser Adresse wurde Spam versendet, oder der Spam bewirbt sie. Prüfen Sie Ihre Mailserver und "
            + "Benutzerkonten auf Missbrauch (oft ein gestohlenes Passwort) und stellen Sie sicher, dass kein Gerät "
            + "ohne Ihr Wissen E-Mails direkt ins Internet versendet."));

    public static readonly AdviceTopic DataLeak = new(
        "data-leak",
        new("Leaked credentials or data", "Gelekte inloggegevens of gegevens", "Identifiants ou données divulgués",
            "Offengelegte Zugangsdaten oder Daten"),
        new("Credentials or data of your organisation were found in a leak or offered for sale by criminals. Reset the "
            + "affected passwords, enable multi-factor authentication, and check the accounts for suspicious activity.",
            "Inloggegevens of gegevens van uw organisatie werden aangetroffen in een lek of door criminelen te koop "
            + "aangeboden. Stel de betrokken wachtwoorden opnieuw in, schakel multifactorauthenticatie in en "
            + "controleer de accounts op verdachte activiteit.",
            "Des identifiants ou des données de votre organisation ont été trouvés dans une fuite ou mis en vente par "
            + "des criminels. Réinitialisez les mots de passe concernés, activez l'authentification multifacteur et "
            + "vérifiez que les comptes ne présentent pas d'activité suspecte.",
            "Zugangsdaten oder Daten Ihrer Organisation wurden in einem Datenleck gefunden oder von Kriminellen zum "
            + "Kauf angeboten. Setzen Sie die betroffenen Passwörter zurück, aktivieren Sie die "
            + "Multi-Faktor-Authentifizierung und prüfen Sie die Konten auf verdächtige Aktivitäten."));

    public static readonly AdviceTopic IntrusionAttempt = new(
        "intrusion-attempt",
        new("Intrusion attempt", "Inbraakpoging", "Tentative d'intrusion", "Einbruchsversuch"),
        new("Attempts to break into systems were observed from or against this address. If they came from your "
            + "network, find the device responsible and check it for infection; if your system was the target, make "
            + "sure it is up to date and that no attempt succeeded.",
            "Er werden pogingen waargenomen om in systemen in te breken, vanaf of tegen dit adres. Kwamen ze uit uw "
            + "netwerk, zoek dan het verantwoordelijke toestel en controleer het op besmetting; was uw systeem het "
            + "doelwit, ga dan na of het up-to-date is en of geen enkele poging slaagde.",
            "Des tentatives d'intrusion ont été observées depuis ou contre cette adresse. Si elles provenaient de votre "
            + "réseau, identifiez l'appareil responsable et vérifiez s'il est infecté ; si votre système était visé, "
            + "assurez-vous qu'il est à jour et qu'aucune tentative n'a abouti.",
            "Von dieser oder gegen diese Adresse wurden Versuche beobachtet, in Systeme einzudringen. Kamen sie aus "
            + "Ihrem Netz, ermitteln Sie das verantwortliche Gerät und prüfen Sie es auf Infektion; war Ihr System das "
            + "Ziel, stellen Sie sicher, dass es aktuell ist und kein Versuch erfolgreich war."));

    public static readonly AdviceTopic Fraud = new(
        "fraud",
        new("Fraud or impersonation", "Fraude of identiteitsmisbruik", "Fraude ou usurpation d'identité",
            "Betrug oder Identitätsmissbrauch"),
        new("This address or domain name was used for fraud, such as phishing or impersonating another organisation. "
            + "Remove the fraudulent content, find out how it got there and secure the affected accounts and systems.",
            "Dit adres of deze domeinnaam werd gebruikt voor fraude, zoals phishing of zich voordoen als een andere "
            + "organisatie. Verwijder de frauduleuze inhoud, zoek uit hoe ze er terechtkwam en beveilig de betrokken "
            + "accounts en systemen.",
            "Cette adresse ou ce nom de domaine a servi à une fraude, comme l'hameçonnage ou l'usurpation de l'identité "
            + "d'une autre organisation. Supprimez le contenu frauduleux, déterminez comment il est arrivé là et "
            + "sécurisez les comptes et systèmes concernés.",
            "Diese Adresse oder dieser Domainname wurde für Betrug genutzt, etwa für Phishing oder um sich als eine "
            + "andere Organisation auszugeben. Entfernen Sie die betrügerischen Inhalte, ermitteln Sie, wie sie "
            + "dorthin gelangt sind, und sichern Sie die betroffenen Konten und Systeme."));

    public static readonly AdviceTopic Other = new(
        "other",
        new("Other security observation", "Andere beveiligingswaarneming", "Autre observation de sécurité",
            "Sonstige Sicherheitsbeobachtung"),
        new("A trusted source reported this observation about your address. Please look at the details in the "
            + "attached file, check the system concerned and contact us if you need help interpreting it.",
            "Een betrouwbare bron meldde ons deze waarneming over uw adres. Bekijk de details in het bijgevoegde "
            + "bestand, controleer het betrokken systeem en neem contact met ons op als u hulp nodig hebt bij de "
            + "interpretatie.",
            "Une source fiable nous a signalé cette observation concernant votre adresse. Consultez les détails dans le "
            + "fichier joint, vérifiez le système concerné et contactez-nous si vous avez besoin d'aide pour "
            + "l'interpréter.",
            "Eine vertrauenswürdige Quelle hat uns diese Beobachtung zu Ihrer Adresse gemeldet. Sehen Sie sich die "
            + "Einzelheiten in der beigefügten Datei an, prüfen Sie das betroffene System und kontaktieren Sie uns, "
            + "wenn Sie Hilfe bei der Auswertung benötigen."));

    static readonly Dictionary<string, AdviceTopic> s_byIdentifier = BuildByIdentifier();

    static readonly Dictionary<string, AdviceTopic> s_byType = new(StringComparer.Ordinal)
    {
        ["infected-system"] = Infected,
        ["c2-server"] = CommandAndControl,
        ["malware-distribution"] = MalwareDistribution,
        ["malware-configuration"] = MalwareDistribution,
        ["phishing"] = Phishing,
        ["ddos"] = Ddos,
        ["dos"] = Ddos,
        ["blacklist"] = Blocklist,
        ["system-compromise"] = Compromised,
        ["application-compromise"] = Compromised,
        ["privileged-account-compromise"] = Compromised,
        ["unprivileged-account-compromise"] = Compromised,
        ["scanner"] = Scanner,
        ["brute-force"] = Scanner,
        ["spam"] = Spam,
        ["data-leak"] = DataLeak,
        ["data-loss"] = DataLeak,
        ["weak-crypto"] = WeakCrypto,
        ["vulnerable-system"] = ExposedService,
        ["potentially-unwanted-accessible"] = ExposedService,
        ["ddos-amplifier"] = Amplifier,
        ["masquerade"] = Fraud,
    };

    static readonly Dictionary<string, AdviceTopic> s_byTaxonomy = new(StringComparer.Ordinal)
    {
        ["vulnerable"] = ExposedService,
        ["malicious-code"] = Infected,
        ["intrusions"] = Compromised,
        ["intrusion-attempts"] = IntrusionAttempt,
        ["information-gathering"] = Scanner,
        ["availability"] = Ddos,
        ["fraud"] = Fraud,
        ["abusive-content"] = Spam,
        ["information-content-security"] = DataLeak,
    };

    static Dictionary<string, AdviceTopic> BuildByIdentifier()
    {
        var d = new Dictionary<string, AdviceTopic>(StringComparer.OrdinalIgnoreCase);
        void Add(AdviceTopic topic, params string[] identifiers)
        {
            foreach (var id in identifiers)
            {
                d[id] = topic;
            }
        }
        Add(RemoteDesktop, "open-rdp", "accessible-rdp", "accessible-msrdpeudp", "open-vnc", "accessible-vnc",
            "accessible-radmin", "accessible-ard", "open-xdmcp");
        Add(Smb, "open-smb", "accessible-smb", "open-netbios-nameservice", "open-netbios", "accessible-msrpc",
            "open-msrpc");
        Add(Telnet, "open-telnet", "accessible-telnet");
        Add(DnsResolver, "dns-open-resolver", "open-resolver", "open-dns", "open-dns-resolver");
        Add(Ntp, "ntp-monitor", "ntp-version", "open-ntp", "open-ntp-monitor", "open-ntp-version");
        Add(Amplifier, "open-ssdp", "open-chargen", "open-qotd", "open-snmp", "open-mdns", "open-portmapper",
            "open-ws-discovery", "open-slp", "open-ldap", "open-tftp", "open-natpmp", "accessible-coap",
            "open-netis", "accessible-ubiquiti-discovery-service", "open-ddos-middlebox", "open-loop-dos",
            "open-dvr-dhcpdiscover", "open-db2-discovery-service", "open-sip", "open-stun", "open-ip-tunnel",
            "ddos-amplifier");
        Add(Memcached, "open-memcached");
        Add(DataStore, "open-elasticsearch", "open-mongodb", "open-redis", "open-mysql", "open-mssql",
            "open-postgres", "open-couchdb", "accessible-hadoop", "open-docker", "open-kubernetes", "open-activemq",
            "accessible-amqp", "open-mqtt", "open-mqtt-anon", "open-epmd", "accessible-rsync", "accessible-msmq",
            "accessible-afp", "accessible-ftp", "open-ipp", "open-socks", "open-http-proxy", "accessible-http-proxy");
        Add(Management, "open-ipmi", "accessible-cisco-smart-install", "open-cwmp", "accessible-adb", "open-ics",
            "accessible-bgp", "open-bgp", "accessible-gtp");
        Add(VulnerableWeb, "vulnerable-http", "accessible-http");
        Add(WeakCrypto, "ssl-poodle", "ssl-freak", "badsecret", "vulnerable-smtp", "vulnerable-imap", "vulnerable-pop3",
            "open-ssl");
        Add(Infected, "c2-beacon", "sinkholedns", "sinkhole", "sandbox-dns", "sandbox-conn", "botnet-drone");
        Add(CommandAndControl, "c2-server", "c2server");
        Add(MalwareDistribution, "malware-url", "sandbox-url");
        Add(Ddos, "ddos-participant", "amplification-ddos-victim", "honeypot-ddos", "honeypot-ddos-target");
        Add(Blocklist, "blacklisted-ip", "blocklisted-ip");
        Add(Compromised, "compromised-website", "compromised-iot", "ransomware-victim", "open-synfulknock");
        Add(DataLeak, "compromised-account");
        Add(Spam, "spam-url");
        Add(Fraud, "ip-spoofer");
        return d;
    }

    /// <summary>The advice for one kind of problem: by identifier, then type, then taxonomy.</summary>
    public static AdviceTopic For(string? type, string? identifier, string? taxonomy)
    {
        if (identifier is not null)
        {
            if (s_byIdentifier.TryGetValue(identifier, out var byId))
            {
                return byId;
            }
        }
        if (type is not null && s_byType.TryGetValue(type, out var byType))
        {
            return byType;
        }
        // Shadowserver names its "service reachable" reports open-* and accessible-*; the ones we have no
        // specific text for still deserve the exposure advice rather than "other".
        if (identifier is not null
            && (identifier.StartsWith("open-", StringComparison.OrdinalIgnoreCase)
                || identifier.StartsWith("accessible-", StringComparison.OrdinalIgnoreCase)))
        {
            return ExposedService;
        }
        if (taxonomy is null && type is not null)
        {
            Rsit.TryGetTaxonomy(type, out taxonomy);
        }
        return taxonomy is not null && s_byTaxonomy.TryGetValue(taxonomy, out var byTaxonomy) ? byTaxonomy : Other;
    }
}

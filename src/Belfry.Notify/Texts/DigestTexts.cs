namespace Belfry.Notify.Texts;

/// <summary>
/// The frame of a cyber threat alert digest, in the four languages. Tokens in braces
/// ({org}, {tlp}, {problems}, ...) are replaced by <see cref="DigestBuilder"/>.
/// </summary>
internal static class DigestTexts
{
    public static readonly Localized Subject = new(
        "[{tlp}] Cyber threat alert for {org}: {found}",
        "[{tlp}] Cyberdreigingsmelding voor {org}: {found}",
        "[{tlp}] Alerte de cybermenace pour {org} : {found}",
        "[{tlp}] Cyberbedrohungswarnung für {org}: {found}");

    public static readonly LocalizedCount ProblemsFound = new(
        new("{0} problem found", "{0} probleem gevonden", "{0} problème détecté", "{0} Problem gefunden"),
        new("{0} problems found", "{0} problemen gevonden", "{0} problèmes détectés", "{0} Probleme gefunden"));

    public static readonly LocalizedCount Problems = new(
        new("{0} problem", "{0} probleem", "{0} problème", "{0} Problem"),
        new("{0} problems", "{0} problemen", "{0} problèmes", "{0} Probleme"));

    public static readonly LocalizedCount Observations = new(
        new("{0} observation", "{0} waarneming", "{0} observation", "{0} Beobachtung"),
        new("{0} observations", "{0} waarnemingen", "{0} observations", "{0} Beobachtungen"));

    public static readonly Localized Greeting = new(
        "Dear security contact of {org},",
        "Geachte contactpersoon van {org},",
        "Madame, Monsieur,",
        "Sehr geehrte Damen und Herren,");

    public static readonly Localized Intro = new(
        "Security researchers and partner organisations report cyber threats to us every day. "
        + "In these reports we found {problems} concerning IP addresses, networks or domain names that {org} "
        + "has registered with us. Below you will find an overview per type of problem; all details are in the "
        + "attached CSV file.",
        "Beveiligingsonderzoekers en partnerorganisaties melden ons dagelijks cyberdreigingen. "
        + "In die meldingen vonden wij {problems} met IP-adressen, netwerken of domeinnamen die {org} "
        + "bij ons heeft geregistreerd. Hieronder vindt u een overzicht per soort probleem; alle details staan in het "
        + "bijgevoegde CSV-bestand.",
        "Des chercheurs en sécurité et des organisations partenaires nous signalent chaque jour des cybermenaces. "
        + "Dans ces signalements, nous avons relevé {problems} concernant des adresses IP, des réseaux ou des noms "
        + "de domaine que votre organisation, {org}, a enregistrés auprès de nous. Vous trouverez ci-dessous un aperçu "
        + "par type de problème ; tous les détails figurent dans le fichier CSV joint.",
        "Sicherheitsforscher und Partnerorganisationen melden uns täglich Cyberbedrohungen. "
        + "In diesen Meldungen haben wir {problems} mit IP-Adressen, Netzwerken oder Domainnamen festgestellt, die {org} "
        + "bei uns registriert hat. Nachstehend finden Sie eine Übersicht nach Art des Problems; alle Einzelheiten "
        + "enthält die beigefügte CSV-Datei.");

    public static readonly Localized Period = new(
        "Observation period: {from} to {to} (UTC).",
        "Waarnemingsperiode: {from} tot {to} (UTC).",
        "Période d'observation : du {from} au {to} (UTC).",
        "Beobachtungszeitraum: {from} bis {to} (UTC).");

    public static readonly Localized Overview = new("Overview", "Overzicht", "Aperçu", "Übersicht");

    public static readonly Localized Malware = new("malware: {name}", "malware: {name}", "logiciel malveillant : {name}", "Schadsoftware: {name}");

    public static readonly Localized Affected = new("Affected:", "Betrokken:", "Adresses concernées :", "Betroffen:");

    public static readonly Localized More = new("and {n} more", "en nog {n}", "et {n} de plus", "und {n} weitere");

    public static readonly Localized WhatToDo = new("What to do:", "Wat moet u doen?", "Que faire ?", "Was ist zu tun?");

    public static readonly Localized TlpAmber = new(
        "This message is classified {tlp}: you may share it within your organisation and with the service providers "
        + "(such as your IT supplier or hosting provider) who need it to fix the problems, but not beyond.",
        "Dit bericht is geclassificeerd als {tlp}: u mag het delen binnen uw organisatie en met de dienstverleners "
        + "(zoals uw IT-leverancier of hostingprovider) die het nodig hebben om de problemen op te lossen, maar niet verder.",
        "Ce message est classifié {tlp} : vous pouvez le partager au sein de votre organisation et avec les prestataires "
        + "(par exemple votre fournisseur informatique ou votre hébergeur) qui en ont besoin pour résoudre les problèmes, "
        + "mais pas au-delà.",
        "Diese Nachricht ist als {tlp} eingestuft: Sie dürfen sie innerhalb Ihrer Organisation und mit den Dienstleistern "
        + "(etwa Ihrem IT-Dienstleister oder Hosting-Anbieter) teilen, die sie zur Behebung der Probleme benötigen, "
        + "jedoch nicht darüber hinaus.");

    public static readonly Localized TlpGreen = new(
        "This message is classified {tlp}: you may share it within your organisation and with peers in your "
        + "community, but you may not publish it.",
        "Dit bericht is geclassificeerd als {tlp}: u mag het delen binnen uw organisatie en met partners in uw "
        + "sector, maar u mag het niet publiceren.",
        "Ce message est classifié {tlp} : vous pouvez le partager au sein de votre organisation et avec vos pairs "
        + "de votre secteur, mais vous ne pouvez pas le publier.",
        "Diese Nachricht ist als {tlp} eingestuft: Sie dürfen sie innerhalb Ihrer Organisation und mit Partnern "
        + "Ihrer Branche teilen, aber nicht veröffentlichen.");

    public static readonly Localized TlpClear = new(
        "This message is classified {tlp}: it may be shared without restriction.",
        "Dit bericht is geclassificeerd als {tlp}: het mag zonder beperking gedeeld worden.",
        "Ce message est classifié {tlp} : il peut être partagé sans restriction.",
        "Diese Nachricht ist als {tlp} eingestuft: Sie darf ohne Einschränkung weitergegeben werden.");

    public static readonly Localized Closing = new(
        "Have you fixed the problem, or do you think this information is incorrect? Simply reply to this e-mail. "
        + "You receive these alerts because {org} is registered for our cyber threat alert service; you can update "
        + "your contact details in your registration.",
        "Hebt u het probleem opgelost, of denkt u dat deze informatie niet klopt? Antwoord dan gewoon op deze e-mail. "
        + "U ontvangt deze meldingen omdat {org} is ingeschreven op onze dienst voor cyberdreigingsmeldingen; uw "
        + "contactgegevens kunt u aanpassen in uw registratie.",
        "Vous avez résolu le problème, ou vous pensez que ces informations sont erronées ? Répondez simplement à cet "
        + "e-mail. Vous recevez ces alertes parce que votre organisation, {org}, est inscrite à notre service d'alertes "
        + "de cybermenaces ; vous pouvez modifier vos coordonnées dans votre enregistrement.",
        "Haben Sie das Problem behoben oder halten Sie diese Angaben für falsch? Antworten Sie einfach auf diese "
        + "E-Mail. Sie erhalten diese Warnungen, weil {org} für unseren Dienst für Cyberbedrohungswarnungen registriert "
        + "ist; Ihre Kontaktdaten können Sie in Ihrer Registrierung ändern.");

    public static readonly Localized Regards = new(
        "Kind regards,", "Met vriendelijke groeten,", "Cordialement,", "Mit freundlichen Grüßen,");

    public static readonly Localized Reference = new(
        "Reference: {ref} - organisation {id}",
        "Referentie: {ref} - organisatie {id}",
        "Référence : {ref} - organisation {id}",
        "Referenz: {ref} - Organisation {id}");
}

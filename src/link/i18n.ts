/** The link pages' words in English, French and Dutch, chosen from Odoo's `lang` (`fr_BE`, `nl_NL`…). */

export type Lang = 'en' | 'fr' | 'nl'

const EN = {
  title: 'Connect your bank',
  phoneTitle: 'Verify your phone number',
  phoneIntro: 'To secure your account, the first bank connection of a database is confirmed with a code sent by SMS.',
  phoneLabel: 'Phone number',
  phoneHelp: 'International format, for example +32 470 12 34 56.',
  sendCode: 'Send code',
  codeSent: 'We sent a code to {phone}. It is valid for 10 minutes.',
  codeLabel: 'Verification code',
  verify: 'Verify',
  phoneInvalid: 'Enter the phone number in international format, starting with + and the country code.',
  phoneRefused: 'This phone number cannot receive codes. Use another mobile number.',
  codeWrong: 'This code is not correct. {left} tries left.',
  codeEnded: 'Too many wrong codes. Send a new code.',
  codeExpired: 'This code has expired or was not sent. Send a new code.',
  waitResend: 'Please wait {seconds} seconds before asking for a new code.',
  tooManyCodes: 'Too many codes were requested. Try again later.',
  searchTitle: 'Choose your bank',
  searchLabel: 'Search for your bank',
  countryLabel: 'Country',
  search: 'Search',
  found: '{count} banks found',
  noneFound: 'No bank matches your search.',
  notListed: 'My bank is not listed',
  beta: 'Beta',
  otherProviders: 'Connect through another provider',
  consentTitle: 'Allow access to {bank}',
  through: 'Connection through {provider}.',
  betaNotice: 'This bank is in beta with our provider: the connection may not work yet, and we cannot support technical problems with it. You may still connect it.',
  terms: 'By continuing, you allow this service to read the names, numbers, balances and transactions of the accounts you choose at {bank}, and to pass them to your Odoo database. The access lasts until you revoke it or until your bank asks you to renew it. We never see your bank login.',
  agree: 'I agree',
  continue: 'Continue',
  mustAgree: 'Tick "I agree" to continue.',
  otherBank: 'Choose another bank',
  doneTitle: 'Your bank is connected',
  updatedTitle: 'Your bank connection is updated',
  closeWindow: 'You can close this window.',
  reference: 'Reference: {reference}',
  close: 'Close'
}

export type Key = keyof typeof EN

const FR: Record<Key, string> = {
  title: 'Connectez votre banque',
  phoneTitle: 'Vérifiez votre numéro de téléphone',
  phoneIntro: 'Pour sécuriser votre compte, la première connexion bancaire d\'une base de données est confirmée par un code envoyé par SMS.',
  phoneLabel: 'Numéro de téléphone',
  phoneHelp: 'Format international, par exemple +32 470 12 34 56.',
  sendCode: 'Envoyer le code',
  codeSent: 'Nous avons envoyé un code au {phone}. Il est valable 10 minutes.',
  codeLabel: 'Code de vérification',
  verify: 'Vérifier',
  phoneInvalid: 'Saisissez le numéro au format international, avec + et l\'indicatif du pays.',
  phoneRefused: 'Ce numéro ne peut pas recevoir de codes. Utilisez un autre numéro de mobile.',
  codeWrong: 'Ce code est incorrect. Encore {left} essais.',
  codeEnded: 'Trop de codes erronés. Envoyez un nouveau code.',
  codeExpired: 'Ce code a expiré ou n\'a pas été envoyé. Envoyez un nouveau code.',
  waitResend: 'Veuillez attendre {seconds} secondes avant de demander un nouveau code.',
  tooManyCodes: 'Trop de codes ont été demandés. Réessayez plus tard.',
  searchTitle: 'Choisissez votre banque',
  searchLabel: 'Recherchez votre banque',
  countryLabel: 'Pays',
  search: 'Rechercher',
  found: '{count} banques trouvées',
  noneFound: 'Aucune banque ne correspond à votre recherche.',
  notListed: 'Ma banque n\'est pas dans la liste',
  beta: 'Bêta',
  otherProviders: 'Se connecter via un autre fournisseur',
  consentTitle: 'Autoriser l\'accès à {bank}',
  through: 'Connexion via {provider}.',
  betaNotice: 'Cette banque est en version bêta chez notre fournisseur : la connexion peut ne pas encore fonctionner et nous ne pouvons pas traiter ses problèmes techniques. Vous pouvez tout de même la connecter.',
  terms: 'En continuant, vous autorisez ce service à lire les noms, numéros, soldes et transactions des comptes que vous choisissez chez {bank}, et à les transmettre à votre base Odoo. L\'accès dure jusqu\'à ce que vous le révoquiez ou que votre banque vous demande de le renouveler. Nous ne voyons jamais vos identifiants bancaires.',
  agree: 'J\'accepte',
  continue: 'Continuer',
  mustAgree: 'Cochez « J\'accepte » pour continuer.',
  otherBank: 'Choisir une autre banque',
  doneTitle: 'Votre banque est connectée',
  updatedTitle: 'Votre connexion bancaire est à jour',
  closeWindow: 'Vous pouvez fermer cette fenêtre.',
  reference: 'Référence : {reference}',
  close: 'Fermer'
}

const NL: Record<Key, string> = {
  title: 'Verbind uw bank',
  phoneTitle: 'Bevestig uw telefoonnummer',
  phoneIntro: 'Om uw account te beveiligen, wordt de eerste bankkoppeling van een database bevestigd met een code per sms.',
  phoneLabel: 'Telefoonnummer',
  phoneHelp: 'Internationaal formaat, bijvoorbeeld +32 470 12 34 56.',
  sendCode: 'Code versturen',
  codeSent: 'We hebben een code gestuurd naar {phone}. Deze is 10 minuten geldig.',
  codeLabel: 'Verificatiecode',
  verify: 'Verifiëren',
  phoneInvalid: 'Voer het nummer in internationaal formaat in, met + en de landcode.',
  phoneRefused: 'Dit nummer kan geen codes ontvangen. Gebruik een ander gsm-nummer.',
  codeWrong: 'Deze code is niet juist. Nog {left} pogingen.',
  codeEnded: 'Te veel foute codes. Vraag een nieuwe code aan.',
  codeExpired: 'Deze code is verlopen of niet verstuurd. Vraag een nieuwe code aan.',
  waitResend: 'Wacht {seconds} seconden voordat u een nieuwe code aanvraagt.',
  tooManyCodes: 'Er zijn te veel codes aangevraagd. Probeer het later opnieuw.',
  searchTitle: 'Kies uw bank',
  searchLabel: 'Zoek uw bank',
  countryLabel: 'Land',
  search: 'Zoeken',
  found: '{count} banken gevonden',
  noneFound: 'Geen bank gevonden voor uw zoekopdracht.',
  notListed: 'Mijn bank staat er niet bij',
  beta: 'Bèta',
  otherProviders: 'Verbinden via een andere aanbieder',
  consentTitle: 'Toegang geven tot {bank}',
  through: 'Verbinding via {provider}.',
  betaNotice: 'Deze bank is in bèta bij onze aanbieder: de verbinding werkt misschien nog niet en technische problemen kunnen we niet ondersteunen. U kunt ze toch verbinden.',
  terms: 'Door verder te gaan, geeft u deze dienst toegang tot de namen, nummers, saldi en transacties van de rekeningen die u kiest bij {bank}, om ze door te geven aan uw Odoo-database. De toegang loopt tot u ze intrekt of tot uw bank vraagt ze te vernieuwen. Wij zien uw bankgegevens voor aanmelden nooit.',
  agree: 'Ik ga akkoord',
  continue: 'Doorgaan',
  mustAgree: 'Vink "Ik ga akkoord" aan om verder te gaan.',
  otherBank: 'Een andere bank kiezen',
  doneTitle: 'Uw bank is verbonden',
  updatedTitle: 'Uw bankverbinding is bijgewerkt',
  closeWindow: 'U kunt dit venster sluiten.',
  reference: 'Referentie: {reference}',
  close: 'Sluiten'
}

const TABLES: Record<Lang, Record<Key, string>> = { en: EN, fr: FR, nl: NL }

/** `fr_BE` → `fr`; anything we have no words for → `en`. */
export function langOf (odooLang: string | null | undefined): Lang {
  const l = (odooLang ?? '').slice(0, 2).toLowerCase()
  return l === 'fr' || l === 'nl' ? l : 'en'
}

export function t (lang: Lang, key: Key, vars: Record<string, string | number> = {}): string {
  return TABLES[lang][key].replace(/\{(\w+)\}/g, (_m, name: string) => String(vars[name] ?? ''))
}

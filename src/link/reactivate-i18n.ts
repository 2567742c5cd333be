/**
 * The reactivation page's own words in English, French and Dutch. The controls it shares with the
 * phone step (Send code, Verification code, Verify, the code messages) come from i18n.ts.
 */
import type { Lang } from './i18n.js'

const EN = {
  reactivateTitle: 'Reactivate your bank synchronization',
  lockedNotice: 'We detected suspicious activity and locked your bank synchronization for your safety.',
  reactivateHow: 'To reactivate it, confirm with a code we send by SMS to the phone number registered for this database: {phone}.',
  codeDigits: 'Enter the code from the SMS (digits only).',
  reactivatedTitle: 'Your bank synchronization is reactivated',
  frozen: 'Too many wrong codes were entered, so your bank synchronization stays locked until our support team reactivates it. Contact support and give them this reference.',
  noPhone: 'No phone number is registered for this database, so the synchronization cannot be reactivated here. Contact support and give them this reference.'
}

export type ReactivateKey = keyof typeof EN

const FR: Record<ReactivateKey, string> = {
  reactivateTitle: 'Réactivez votre synchronisation bancaire',
  lockedNotice: 'Nous avons détecté une activité suspecte et bloqué votre synchronisation bancaire pour votre sécurité.',
  reactivateHow: 'Pour la réactiver, confirmez avec un code que nous envoyons par SMS au numéro de téléphone enregistré pour cette base de données : {phone}.',
  codeDigits: 'Saisissez le code reçu par SMS (chiffres uniquement).',
  reactivatedTitle: 'Votre synchronisation bancaire est réactivée',
  frozen: 'Trop de codes erronés ont été saisis : votre synchronisation bancaire reste bloquée jusqu\'à ce que notre support la réactive. Contactez le support en indiquant cette référence.',
  noPhone: 'Aucun numéro de téléphone n\'est enregistré pour cette base de données : la synchronisation ne peut pas être réactivée ici. Contactez le support en indiquant cette référence.'
}

const NL: Record<ReactivateKey, string> = {
  reactivateTitle: 'Heractiveer uw banksynchronisatie',
  lockedNotice: 'We hebben verdachte activiteit vastgesteld en uw banksynchronisatie voor uw veiligheid geblokkeerd.',
  reactivateHow: 'Om ze te heractiveren, bevestigt u met een code die we per sms sturen naar het telefoonnummer dat voor deze database is geregistreerd: {phone}.',
  codeDigits: 'Voer de code uit de sms in (alleen cijfers).',
  reactivatedTitle: 'Uw banksynchronisatie is opnieuw geactiveerd',
  frozen: 'Er zijn te veel foute codes ingevoerd: uw banksynchronisatie blijft geblokkeerd tot ons supportteam ze heractiveert. Neem contact op met support en vermeld deze referentie.',
  noPhone: 'Er is geen telefoonnummer geregistreerd voor deze database: de synchronisatie kan hier niet worden geheractiveerd. Neem contact op met support en vermeld deze referentie.'
}

const TABLES: Record<Lang, Record<ReactivateKey, string>> = { en: EN, fr: FR, nl: NL }

export function tr (lang: Lang, key: ReactivateKey, vars: Record<string, string | number> = {}): string {
  return TABLES[lang][key].replace(/\{(\w+)\}/g, (_m, name: string) => String(vars[name] ?? ''))
}

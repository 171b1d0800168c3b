# French translation of en.ftl: the same message ids and variables (a test checks). Formal address
# ("vous"). Plurals use the CLDR categories one (0 and 1), many (exact millions: "1 000 000 d’élèves")
# and other. French typography: a no-break space before ":" and "%", a narrow no-break space before ";",
# "!" and "?" and inside « ».

## Navigation and layout
nav-home = Accueil
nav-register = Inscrire un événement
nav-map = Carte
nav-events = Événements
nav-partners = Partenaires
nav-stats = Statistiques
language-switch = Langue
skip-to-content = Aller au contenu
powered-by = Site de campagne réalisé avec Rally

## Home
home-goal = Notre objectif : { $goal ->
    [one] { $goal } élève
    [many] { $goal } d’élèves
   *[other] { $goal } élèves
}
counter-students = { $students ->
    [one] { $students } élève
    [many] { $students } d’élèves
   *[other] { $students } élèves
}
counter-events = { $events ->
    [one] { $events } événement
    [many] { $events } d’événements
   *[other] { $events } événements
}
counter-countries = { $countries ->
    [one] { $countries } pays
    [many] { $countries } de pays
   *[other] { $countries } pays
}
counter-progress = { $percent } % de l’objectif
counter-label = Élèves qui participent déjà
home-cta = Inscrivez votre événement
home-cta-lead = Écoles, enseignants, clubs et bibliothèques du monde entier peuvent participer : animez une heure d’informatique avec vos élèves et inscrivez-la ici.
home-dates = Semaine de la campagne : du { $from } au { $to }
home-umbrella = Dans le cadre de { $umbrella }
home-members = Campagnes participantes

## Registration form
register-title = Inscrire un événement
register-lead = Présentez-nous votre événement. Nous vous enverrons un e-mail pour le confirmer ; il sera comptabilisé une fois que vous l’aurez confirmé et qu’un modérateur l’aura approuvé.
field-organizer-name = Votre nom
field-organizer-email = Votre adresse e-mail
field-organization = École ou organisation
field-event-type = Type d’événement
event-type-in_school = À l’école
event-type-after_school = Périscolaire
event-type-online = En ligne
event-type-other = Autre
field-title = Nom de l’événement
field-country = Pays
field-country-choose = Choisissez un pays
field-city = Ville ou commune
field-city-help = Nous plaçons votre événement sur la carte à cet endroit. Si nous ne le trouvons pas, indiquez les coordonnées ci-dessous ; sinon, l’événement sera affiché au centre du pays.
field-latitude = Latitude
field-longitude = Longitude
field-coordinates-help = Facultatif : l’emplacement exact, en degrés décimaux (par exemple 45.815 et 15.982).
field-url = Lien vers l’événement en ligne
field-starts-on = Premier jour
field-ends-on = Dernier jour (si l’événement dure plusieurs jours)
field-students = Nombre d’élèves prévu
field-ages = Âges ou niveaux
field-language = Langue de l’événement
field-description = Brève description
field-description-help = 2 000 caractères au maximum. Texte brut uniquement.
field-listing = Visibilité
listing-public = Afficher mon événement dans la liste publique et sur la carte
listing-private = Comptabiliser mon événement sans l’afficher publiquement
field-consent = J’ai lu la politique de confidentialité et j’accepte que mon inscription soit conservée pour les besoins de la campagne.
field-news = Recevoir des nouvelles de la campagne (quelques e-mails au plus ; désinscription possible à tout moment).
field-website = Laissez ce champ vide
privacy-notice-title = Politique de confidentialité
privacy-notice = Nous conservons votre nom, votre adresse e-mail et les détails de l’événement afin de comptabiliser et d’afficher l’événement et de vous écrire à son sujet. Seuls le lieu, l’organisation, la date et le nombre d’élèves sont affichés publiquement, et uniquement pour les événements publics. Vous pouvez à tout moment nous demander de supprimer votre inscription grâce au lien figurant dans votre e-mail.
register-submit = Inscrire l’événement
form-has-errors = Veuillez corriger les champs signalés ci-dessous.

## Form errors
error-required = Ce champ est obligatoire.
error-too-long = Ce texte est trop long ({ $max ->
    [one] { $max } caractère
    [many] { $max } de caractères
   *[other] { $max } caractères
} au maximum).
error-email = Ce n’est pas une adresse e-mail.
error-date = Ce n’est pas une date (utilisez le calendrier ou le format AAAA-MM-JJ).
error-date-order = Le dernier jour ne peut pas précéder le premier.
error-date-range = La date doit être comprise entre le { $from } et le { $to }.
error-students = Indiquez un nombre entier d’élèves de 1 à { $max }.
error-students-actual = Indiquez un nombre entier d’élèves de 0 à { $max }.
error-country = Choisissez un pays dans la liste.
error-latitude = Une latitude est un nombre compris entre -90 et 90.
error-longitude = Une longitude est un nombre compris entre -180 et 180.
error-coordinates-pair = Indiquez à la fois la latitude et la longitude, ou aucune des deux.
error-url = Indiquez un lien qui commence par https:// ou http://.
error-online-url = Un événement en ligne nécessite un lien.
error-place = Un événement en présentiel nécessite une ville ou des coordonnées.
error-consent = Nous ne pouvons inscrire l’événement que si vous acceptez la politique de confidentialité.
error-language = Choisissez une langue dans la liste.
error-event-type = Choisissez un type d’événement dans la liste.
error-too-many = Trop d’inscriptions depuis votre réseau en peu de temps. Veuillez réessayer dans quelques minutes.
error-body-too-large = Le formulaire est trop volumineux.
error-cancelled = Cet événement a été annulé.

## After registering
registered-title = Consultez vos e-mails
registered-body = Nous avons envoyé un lien à { $email }. Ouvrez-le pour confirmer votre événement ; d’ici là, il n’est pas comptabilisé.
registered-updated = Vous aviez déjà inscrit cet événement : nous l’avons donc mis à jour au lieu de l’ajouter une seconde fois.
confirmed-title = Merci, votre événement est confirmé
confirmed-pending = Un modérateur va l’examiner prochainement ; il sera comptabilisé et affiché une fois approuvé.
confirmed-approved = Il est comptabilisé et affiché sur la carte.

## The organizer's page
manage-title = Votre événement
manage-lead = Ce lien n’est connu que de vous. Conservez-le pour modifier ou annuler votre événement et pour indiquer combien d’élèves y ont participé.
manage-status = Statut
status-unconfirmed = En attente de votre confirmation
status-pending = En attente d’approbation
status-approved = Approuvé
status-rejected = Non approuvé
status-cancelled = Annulé
manage-rejected-reason = Motif : { $reason }
manage-edit = Modifier l’événement
manage-save = Enregistrer les modifications
manage-saved = Vos modifications sont enregistrées.
manage-saved-pending = Vos modifications sont enregistrées ; un modérateur va les examiner à nouveau.
manage-cancel = Annuler l’événement
manage-cancel-confirm = Oui, annuler cet événement
manage-cancelled = Votre événement est annulé.
report-title = Après l’événement
report-lead = Combien d’élèves ont participé ? Le compteur utilisera ce nombre à la place du nombre prévu.
report-field = Élèves ayant participé
report-submit = Envoyer
report-saved = Merci ! { $students ->
    [one] { $students } élève est comptabilisé.
    [many] { $students } d’élèves sont comptabilisés.
   *[other] { $students } élèves sont comptabilisés.
}
report-not-yet = Vous pourrez indiquer ce nombre après le premier jour de l’événement ({ $date }).
certificate-title = Certificat de participation
certificate-lead = Téléchargez un certificat à votre nom, ou au nom d’un élève ou d’un enseignant.
certificate-name = Nom sur le certificat
certificate-download = Télécharger le certificat (PDF)
certificate-needs-report = Indiquez d’abord le nombre d’élèves ; vous pourrez ensuite télécharger des certificats.

## Events list
events-title = Événements
events-search = Rechercher
events-filter-country = Pays
events-filter-city = Ville
events-filter-type = Type
events-filter-language = Langue
events-filter-from = Du
events-filter-to = Au
events-filter-any = Peu importe
events-filter-submit = Afficher les événements
events-none = Aucun événement ne correspond.
events-count = { $count ->
    [one] { $count } événement
    [many] { $count } d’événements
   *[other] { $count } événements
}
events-online = En ligne
events-students = { $students ->
    [one] { $students } élève
    [many] { $students } d’élèves
   *[other] { $students } élèves
}
events-next = Page suivante
events-previous = Page précédente

## Map
map-title = Carte des événements
map-world = Monde
map-zoom = Afficher un seul pays
map-legend = Plus un pays est foncé, plus il compte d’élèves participants.
map-country-summary = { $country } : { $events ->
    [one] { $events } événement
    [many] { $events } d’événements
   *[other] { $events } événements
}, { $students ->
    [one] { $students } élève
    [many] { $students } d’élèves
   *[other] { $students } élèves
}
map-tiles = Plan des rues

## Partners
partners-title = Nos partenaires
partners-lead = Ces organisations contribuent à faire découvrir l’informatique à chaque élève.
partners-none = Nos partenaires seront bientôt présentés ici.
partners-other = Partenaires

## Statistics
stats-title = Statistiques
stats-by-country = Par pays
stats-by-type = Par type d’événement
stats-over-time = Inscriptions par semaine
stats-week-of = Semaine du { $date }
stats-country = Pays
stats-events = Événements
stats-students = Élèves
stats-type = Type
stats-registrations = Inscriptions
stats-data = Ces chiffres sous forme de données

## Embeds
embed-counter = { $students ->
    [one] { $students } élève a déjà participé
    [many] { $students } d’élèves ont déjà participé
   *[other] { $students } élèves ont déjà participé
}
embed-register = Participer

## The partner's link page
link-lead = Merci d’être notre partenaire. Cette page vous est réservée : merci de ne pas partager son adresse.
link-contact-title = Votre contact dans la campagne
link-contact-lead = Une question, ou quelque chose à changer ? Écrivez à :
link-contact-none = Une question ? Répondez à l’e-mail qui vous a apporté ce lien.
link-asks-title = Ce que nous vous demandons
link-asks-none = Rien pour l’instant.
link-status-proposed = Proposé
link-status-agreed = Convenu
link-status-fulfilled = Réalisé
link-status-missed = Non réalisé
link-status-declined = Refusé
link-due = pour le { $date }
link-quantity = Combien ({ $unit }) ?
link-note = Remarque (facultatif)
link-confirm = Confirmer
link-decline = Refuser
link-confirmed = Merci : vous avez confirmé « { $ask } ». L’équipe de la campagne le voit dès maintenant.
link-declined = Merci : vous avez refusé « { $ask } ». L’équipe de la campagne le voit dès maintenant.
link-material-title = Documents pour vous
link-material-none = Rien ne vous a encore été envoyé.
link-asset-logo = logo
link-asset-banner = bannière
link-asset-poster = affiche
link-asset-press_kit = dossier de presse
link-asset-tutorial = tutoriel
link-asset-other = autre
link-logo-title = Votre logo sur le site de la campagne
link-logo-alt = Logo de { $partner }
link-logo-upload = Envoyez votre logo (PNG, JPEG, WebP ou SVG, 20 Mo au plus)
link-logo-replace = Remplacez votre logo (PNG, JPEG, WebP ou SVG, 20 Mo au plus)
link-logo-submit = Envoyer
link-logo-uploaded = Merci : votre logo est envoyé.
link-listed = Une fois leur part accomplie, les partenaires sont remerciés par leur nom et leur logo sur le site de la campagne.
link-opted-out = Vous avez demandé à ne pas figurer parmi les partenaires de la campagne.
link-list-us = Nous faire figurer parmi les partenaires
link-do-not-list = Ne pas nous faire figurer
link-error-number = Indiquez un nombre entier.
link-error-quantity = Indiquez un nombre de 0 à { $max }.
link-error-quantity-missing = Indiquez combien ({ $unit }) vous vous engagez à fournir.
link-error-answered = Vous avez déjà répondu à cette demande.
link-error-logo = Nous ne pouvons pas utiliser ce fichier comme logo. Choisissez une image PNG, JPEG, WebP ou SVG de 20 Mo au plus.
link-error-logo-missing = Choisissez d’abord un fichier.
link-contacts-title = Vos contacts et les e-mails de la campagne
link-contacts-lead = Choisissez pour chacun de vos contacts s’il reçoit les nouvelles de la campagne par e-mail.
link-contacts-none = Nous n’avons encore aucun contact chez vous.
link-consent-yes = Oui, envoyer les nouvelles de la campagne
link-consent-no = Pas de nouvelles de la campagne
link-consent-unknown = Pas encore choisi.
link-consent-save = Enregistrer
link-consent-saved = Merci : le choix de { $name } pour les e-mails de la campagne est enregistré.
link-error-consent = Choisissez d’abord l’une des deux réponses.

## E-mails to organizers
mail-confirm-subject = Veuillez confirmer votre événement : { $title }
mail-confirm-body =
    Bonjour { $name },

    Merci d’avoir inscrit « { $title } » dans le cadre de { $campaign }.

    Veuillez confirmer votre événement en ouvrant ce lien :
    { $confirm_url }

    Conservez cet e-mail : le même lien vous permet de modifier ou d’annuler l’événement, d’indiquer combien d’élèves y ont participé et de télécharger des certificats.

    Si vous n’avez pas inscrit cet événement, ignorez cet e-mail : rien ne sera comptabilisé.
mail-approved-subject = Votre événement est approuvé : { $title }
mail-approved-body =
    Bonjour { $name },

    Votre événement « { $title } » est approuvé et compte pour { $campaign }. Merci de votre participation !

    Après l’événement, indiquez ici combien d’élèves ont participé et téléchargez des certificats :
    { $manage_url }
mail-rejected-subject = Votre événement n’a pas été approuvé : { $title }
mail-rejected-body =
    Bonjour { $name },

    Nous n’avons pas pu approuver votre événement « { $title } » pour { $campaign }.

    Motif : { $reason }

    Vous pouvez modifier l’événement ; il sera alors examiné à nouveau :
    { $manage_url }
mail-footer = Vous recevez cet e-mail parce qu’un événement a été inscrit avec cette adresse dans le cadre de { $campaign }.

## Additions: statistics, the map, the organizer's page, certificates
stats-week-of-label = Semaine
embed-title = Afficher le compteur ou les partenaires sur votre site
map-countries = Pays participants
partners-main = Partenaires principaux
manage-confirm = Confirmer mon événement
manage-confirm-lead = Veuillez confirmer que vous avez inscrit cet événement. D’ici là, il n’est pas compté.
manage-location-country = Nous n’avons pas trouvé la localité : l’événement est affiché au centre du pays. Indiquez les coordonnées ci-dessous pour le placer exactement.
certificate-default-body = pour sa participation à { $event } ({ $organization }), dans le cadre de { $campaign }, le { $date }, avec { $students ->
    [one] { $students } élève
   *[other] { $students } élèves
}.
certificate-unsupported = Le certificat ne peut pas afficher ces caractères : { $characters }. Veuillez écrire le nom dans une autre écriture.
attribution = Lieux : GeoNames (CC BY 4.0). Carte : Natural Earth.
attribution-licence = Licence des données sur les lieux
legend-organizer = Vous
legend-event = L’événement
legend-place = Où
manage-delete = Supprimer mon inscription
manage-delete-lead = L’événement, votre nom et votre adresse e-mail sont supprimés définitivement ; il n’est plus compté et ce lien ne fonctionnera plus.
manage-delete-confirm = Oui, supprimer mon inscription
manage-deleted = Votre inscription est supprimée. Merci de l’intérêt que vous portez à la campagne.
manage-data = Mes données
manage-data-lead = Téléchargez tout ce que cette campagne conserve à votre sujet (vos événements, les e-mails envoyés, vos consentements) dans un fichier JSON, ou effacez-le. L’effacement garde vos événements dans le décompte de la campagne, sans votre nom, votre établissement, votre adresse e-mail ni la description, et met fin à tout e-mail.
manage-data-download = Télécharger mes données
manage-erase = Effacer mes données
manage-erase-confirm = Oui, effacer mes données de cette campagne ; c’est définitif
manage-erased = Vos données sont effacées de la campagne. Vos événements restent comptés, sans votre nom ni votre établissement, et vous ne recevrez plus d’e-mail de sa part.
mail-report-subject = Combien d’élèves ont participé à « { $title } » ?
mail-report-body =
    Bonjour { $name },

    merci d’avoir organisé « { $title } » pour { $campaign } !

    Dites-nous combien d’élèves ont participé : le compteur de la campagne utilisera votre nombre à la place du nombre prévu. Sur la même page, vous pouvez télécharger des certificats pour vos élèves :
    { $manage_url }
manage-map = Votre événement sur la carte. Si le point n’est pas au bon endroit, indiquez les coordonnées sous « Modifier l’événement ».

## Pages d’erreur du site public
error-page-not-found-title = Introuvable
error-page-not-found = Il n’y a rien ici. Le lien est peut-être ancien ou mal saisi.
error-page-forbidden-title = Non autorisé
error-page-forbidden = Cela ne peut pas être modifié d’ici.
error-page-expired-title = Formulaire expiré
error-page-expired = Ce formulaire a expiré. Revenez en arrière, rechargez la page et réessayez.
error-page-too-large-title = Trop volumineux
error-page-too-large = C’est plus que ce que nous acceptons en une fois.
error-page-bad-request-title = Impossible
error-page-bad-request = Cela ne peut pas être fait. Revenez en arrière et vérifiez ce que vous avez envoyé.
error-page-too-many-title = Trop de tentatives
error-page-too-many = Trop de tentatives en peu de temps. Patientez quelques minutes et réessayez.
error-page-unavailable-title = Occupé
error-page-unavailable = Nous ne pouvons pas répondre pour le moment. Réessayez dans un instant.
error-page-storage-full-title = Enregistrement impossible pour le moment
error-page-storage-full = Nous ne pouvons rien enregistrer pour le moment, car notre espace de stockage est plein. Rien n’a été modifié. Réessayez dans quelques minutes.
error-page-internal-title = Un problème est survenu
error-page-internal = Un problème est survenu de notre côté. Il a été noté ; réessayez plus tard.
error-page-back = Retour à la campagne
error-storage-full = Nous ne pouvons pas enregistrer d’inscriptions pour le moment, car notre espace de stockage est plein. Rien n’a été enregistré ; vos réponses sont toujours dans le formulaire. Réessayez dans quelques minutes.
error-unavailable = Nous ne pouvons pas enregistrer d’inscriptions pour le moment. Rien n’a été enregistré ; vos réponses sont toujours dans le formulaire. Réessayez dans un instant.

# Shown to the team on a site that is not published yet.
site-draft = Brouillon : seule votre équipe voit ce site. Un propriétaire le publie depuis le tableau de bord de la campagne.

# The campaign's privacy notice page and agreeing again to a new version.
privacy-version = Version { $version }, publiée le { $date }
privacy-builtin = La campagne n’a pas publié sa propre politique de confidentialité. Voici ce que vous acceptez en inscrivant un événement :
privacy-read = Lire toute la politique de confidentialité
reconsent-title = Nous avons mis à jour notre politique de confidentialité
reconsent-lead = Vous avez accepté une version précédente. Merci de lire la nouvelle : nous vous enverrons de nouveau des nouvelles de la campagne une fois que vous l’aurez acceptée. Les messages concernant votre événement vous parviennent dans tous les cas.
reconsent-agree = J’accepte la nouvelle politique de confidentialité
reconsent-done = Merci : votre accord avec la nouvelle politique de confidentialité est enregistré.

## Activity review (the team's decision on a proposed activity, e-mailed to whoever proposed it)
activity-rejected-subject = Votre activité n’a pas été retenue : { $title }
activity-rejected-body =
    Bonjour { $name },

    Merci d’avoir proposé « { $title } » pour le catalogue d’activités de { $campaign }. Nous l’avons examinée et n’avons pas pu la retenir.

    Motif : { $reason }

    Si vous pouvez corriger ce que le motif indique, n’hésitez pas à la proposer de nouveau.
activity-mail-footer = Vous recevez cet e-mail parce qu’une activité a été proposée avec cette adresse pour { $campaign }.

## Activity catalogue: the public list, an activity's page, suggesting an activity (site and partner link).
nav-activities = Activités
activities-title = Activités
activities-lead = Que faire pendant l’heure : des activités pour tous les âges, beaucoup dans votre langue, certaines sans aucun ordinateur.
activities-submit-link = Proposer une activité
activities-filters = Filtres
activities-search = Rechercher
activities-filter-submit = Afficher les activités
activities-chosen = Vos choix
activities-remove = Retirer « { $value } »
activities-clear = Retirer tous les filtres
activities-count = { $count ->
    [one] { $count } activité
   *[other] { $count } activités
}
activities-none = Aucune activité ne correspond. Retirez un filtre pour en voir davantage.
activities-in-your-language = Dans votre langue
activities-other-languages = Aussi disponibles dans d’autres langues
activities-pages = Pages
activity-minutes = { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}
activity-follow-on = avec des séances de suite
activity-by = Par { $provider }
activity-open = Ouvrir l’activité
activity-download = Télécharger le matériel
activity-host = Organiser un événement avec cette activité
activity-usage = { $events ->
    [one] { $events } événement
   *[other] { $events } événements
} avec { $students ->
    [one] { $students } élève
   *[other] { $students } élèves
} ont choisi cette activité jusqu’ici.
activity-back = Toutes les activités
activity-facts = À propos de cette activité
activity-provider = Créée par
activity-duration = Durée
activity-languages = Disponible en
activity-print = À imprimer par élève
facet-age = Âge
facet-grade = Niveau scolaire
facet-student_experience = Expérience des élèves
facet-teacher_experience = Expérience de l’enseignant
facet-format = Format
facet-length = Durée
facet-language = Langue
facet-programming = Programmation
facet-equipment = Équipement
facet-accessibility = Accessibilité
facet-subject = Matière
facet-age-4-6 = 4–6 ans
facet-age-7-10 = 7–10 ans
facet-age-11-13 = 11–13 ans
facet-age-14-18 = 14–18 ans
facet-age-adults = Adultes
facet-grade-pre = Petite section
facet-grade-k = Grande section
facet-grade-n = Année { $grade }
facet-student_experience-beginner = Débutants
facet-student_experience-comfortable = Avec un peu d’expérience
facet-teacher_experience-none = Aucune expérience requise
facet-teacher_experience-some = Un peu d’expérience requise
facet-format-tutorial = Tutoriel en autonomie
facet-format-lesson_plan = Plan de cours
facet-format-unplugged = Activité débranchée
facet-format-robotics = Robotique et matériel
facet-length-up_to_30 = Jusqu’à 30 minutes
facet-length-up_to_60 = De 30 à 60 minutes
facet-length-over_60 = Plus d’une heure
facet-length-follow_on = Avec une suite
facet-programming-blocks = Blocs
facet-programming-text = Code écrit
facet-programming-none = Sans programmation
facet-equipment-computers = Ordinateurs
facet-equipment-tablets = Tablettes ou téléphones
facet-equipment-offline = Fonctionne hors ligne
facet-equipment-no_computers = Sans ordinateur
facet-accessibility-screen_reader = Compatible avec un lecteur d’écran
facet-accessibility-keyboard_only = Clavier seul
facet-accessibility-no_reading = Sans lecture
facet-accessibility-low_motor = Faible exigence motrice
facet-subject-computer_science = Informatique
facet-subject-maths = Mathématiques
facet-subject-science = Sciences
facet-subject-language_arts = Langue et littérature
facet-subject-art = Arts plastiques
facet-subject-music = Musique
facet-subject-social_studies = Sciences sociales
activity-submit-title = Proposer une activité
activity-submit-lead = Vous connaissez une bonne activité pour l’heure ? Parlez-nous-en. Notre équipe vérifie chaque proposition avant de la publier : elle doit fonctionner sans inscription ni paiement, convenir aux âges indiqués, être accessible comme décrit et exister dans les langues indiquées.
activity-legend-text = L’activité
activity-field-language = Langue de cette description
activity-field-title = Titre
activity-field-summary = Résumé (une ou deux phrases)
activity-field-description = Description
activity-field-url = Adresse web de l’activité
activity-field-provider = Qui l’a créée
activity-legend-running = Déroulement
activity-field-duration = Durée en minutes
activity-field-follow-on = Elle a des séances de suite
activity-field-print = À imprimer par élève (pour une activité débranchée)
activity-field-languages = Langues dans lesquelles elle existe
activity-legend-submitter = À propos de vous
activity-submitter-help = Nous vous écrirons une fois que notre équipe l’aura examinée. Votre adresse n’est jamais affichée sur le site.
activity-field-submitter-name = Votre nom
activity-field-submitter-email = Votre adresse e-mail
activity-submit-button = Envoyer pour examen
activity-submitted-title = Merci
activity-submitted = Merci : votre proposition attend l’examen de notre équipe. Nous écrirons à { $email } une fois qu’elle aura été examinée.
activity-error-url-missing = Indiquez l’adresse web de l’activité.
activity-error-duration = Indiquez la durée en minutes entières, de 1 à { $max }.
activity-error-languages = Choisissez au plus { $max } langues dans la liste.
activity-error-choice = Choisissez dans la liste.
activity-error-too-many = Trop de propositions depuis votre réseau en peu de temps. Veuillez réessayer dans quelques minutes.
activity-error-unavailable = Nous ne pouvons pas enregistrer de propositions pour le moment. Rien n’a été enregistré ; vos réponses sont toujours dans le formulaire. Veuillez réessayer dans un instant.
link-activity-title = Proposer une activité
link-activity-lead = Votre organisation propose-t-elle une activité pour l’heure ? Proposez-la pour le catalogue de la campagne : l’équipe l’examine avant de la publier.
link-activity-submitted = Merci : votre activité attend l’examen de l’équipe.

## Map that finds events (clusters and points as links, zoom, events near a town) and an event's page
map-area = zone choisie
map-summary = La carte montre { $events ->
    [one] { $events } événement
   *[other] { $events } événements
} en { $places ->
    [one] { $places } lieu
   *[other] { $places } lieux
}. Chaque lieu de la carte est un lien ; la liste après la carte a les mêmes liens.
map-cluster = { $places } : { $events ->
    [one] { $events } événement
   *[other] { $events } événements
}, { $students ->
    [one] { $students } élève
   *[other] { $students } élèves
}
map-list-events = Événements sur la carte
map-list-places = Lieux sur la carte
map-list-more = Et { $count ->
    [one] { $count } autre lieu : zoomez pour le voir.
   *[other] { $count } autres lieux : zoomez pour les voir.
}
map-empty = Il n’y a pas d’événement sur cette partie de la carte.
map-zoom-out = Dézoomer
map-near-label = Événements près d’une ville
map-near-radius = Dans un rayon de
map-near-km = { $km } km
map-near-submit = Trouver des événements
map-near-heading = Événements à moins de { $km } km de { $town }
map-near-unknown = Nous ne connaissons pas de ville nommée « { $name } ». Vérifiez l’orthographe, ou essayez une ville plus grande à proximité.
map-near-choose = De quelle ville nommée « { $name } » s’agit-il ?
map-near-others = Autres villes nommées « { $name } » :
map-near-candidate = { $town } ({ $population } habitants)
map-near-distance = à { $km } km
map-near-here = à moins de 1 km
map-near-more = Et { $count ->
    [one] { $count } autre événement plus loin : choisissez une distance plus petite pour le voir.
   *[other] { $count } autres événements plus loin : choisissez une distance plus petite pour les voir.
}
map-near-clear = Effacer la recherche
map-activity = Seulement les événements avec l’activité « { $activity } ».
map-activity-unknown = Seulement les événements avec une activité.
map-activity-all = Montrer tous les événements
event-page-organization = Organisation
event-page-type = Type d’événement
event-page-place = Où
event-page-dates = Quand
event-page-ages = Âges
event-page-language = Langue
event-page-students = Élèves
event-page-link = Lien
event-page-about = À propos de l’événement
event-page-on-map = Voir sur la carte
event-page-all = Tous les événements

## Events' activities and partner attribution (registration form, events filter, recognition wall, partner link page)
picker-legend = Qu’allez-vous faire ?
picker-help = Choisissez jusqu’à cinq activités du catalogue de la campagne, ou décrivez la vôtre.
picker-search = Chercher dans le catalogue par titre
picker-search-button = Chercher
picker-none = Aucune activité du catalogue ne correspond. Décrivez la vôtre ci-dessous.
picker-own = Notre propre activité (facultatif)
picker-heard-from = Comment avez-vous entendu parler de nous ?
picker-heard-none = Choisir (facultatif)
picker-heard-other = Autre
error-activities = Choisissez des activités dans la liste.
error-activities-too-many = Choisissez au plus { $max } activités.
error-heard-from = Choisissez l’une des réponses de la liste.
events-filter-activity = Activité
partner-brought = A amené { $events ->
    [one] { $events } événement
   *[other] { $events } événements
}, { $students ->
    [one] { $students } élève
   *[other] { $students } élèves
}
link-share-title = Votre lien de partage
link-share-lead = Partagez cette adresse avec les écoles et les enseignants : les événements inscrits après l’avoir suivie comptent comme amenés par vous.
link-share-label = Lien de partage
link-brought-none = Aucun événement approuvé n’est encore venu par vous.

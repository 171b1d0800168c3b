# Russian translation of en.ftl: the same message ids and variables (a test checks). Formal address: «Вы».
# Plurals use the CLDR categories one (1, 21), few (2–4, 22–24), many (5–20, 25) and other (fractions).

## Navigation and layout
nav-home = Главная
nav-register = Зарегистрировать мероприятие
nav-map = Карта
nav-events = Мероприятия
nav-partners = Партнёры
nav-stats = Статистика
language-switch = Язык
skip-to-content = Перейти к содержанию
powered-by = Сайт кампании создан с помощью Rally

## Home
home-goal = Наша цель: { $goal ->
    [one] { $goal } ученик
    [few] { $goal } ученика
    [many] { $goal } учеников
   *[other] { $goal } ученика
}
counter-students = { $students ->
    [one] { $students } ученик
    [few] { $students } ученика
    [many] { $students } учеников
   *[other] { $students } ученика
}
counter-events = { $events ->
    [one] { $events } мероприятие
    [few] { $events } мероприятия
    [many] { $events } мероприятий
   *[other] { $events } мероприятия
}
counter-countries = { $countries ->
    [one] { $countries } страна
    [few] { $countries } страны
    [many] { $countries } стран
   *[other] { $countries } страны
}
counter-progress = { $percent }% от цели
counter-label = Число участвующих учеников
home-cta = Зарегистрируйте своё мероприятие
home-cta-lead = Участвовать могут школы, учителя, кружки и библиотеки в любой точке мира: проведите со своими учениками один час информатики и зарегистрируйте его здесь.
home-dates = Неделя кампании: с { $from } по { $to }
home-umbrella = Часть кампании { $umbrella }
home-members = Участвующие кампании

## Registration form
register-title = Регистрация мероприятия
register-lead = Расскажите нам о своём мероприятии. Мы отправим Вам письмо, чтобы Вы его подтвердили; мероприятие учитывается после того, как Вы его подтвердите и модератор его одобрит.
field-organizer-name = Ваше имя
field-organizer-email = Ваш адрес электронной почты
field-organization = Школа или организация
field-event-type = Тип мероприятия
event-type-in_school = В школе
event-type-after_school = После уроков
event-type-online = Онлайн
event-type-other = Другое
field-title = Название мероприятия
field-country = Страна
field-country-choose = Выберите страну
field-city = Город или населённый пункт
field-city-help = Мы отметим Ваше мероприятие на карте в этом населённом пункте. Если мы не сможем его найти, укажите координаты ниже, иначе мероприятие будет показано в центре страны.
field-latitude = Широта
field-longitude = Долгота
field-coordinates-help = Необязательно: точное место в десятичных градусах (например, 45.815 и 15.982).
field-url = Ссылка на онлайн-мероприятие
field-starts-on = Первый день
field-ends-on = Последний день (если мероприятие длится больше одного дня)
field-students = Ожидаемое число учеников
field-ages = Возраст или классы
field-language = Язык мероприятия
field-description = Краткое описание
field-description-help = До 2000 символов. Только простой текст.
field-listing = Публикация
listing-public = Показывать моё мероприятие в общем списке и на карте
listing-private = Учитывать моё мероприятие, но не показывать его публично
field-consent = Я ознакомлен(а) с уведомлением о конфиденциальности и согласен(на) на хранение моей регистрации для проведения кампании.
field-news = Присылать мне новости кампании (не более нескольких писем; отписаться можно в любой момент).
field-website = Оставьте это поле пустым
privacy-notice-title = Уведомление о конфиденциальности
privacy-notice = Мы храним Ваше имя, адрес электронной почты и сведения о мероприятии, чтобы учитывать и показывать мероприятие и писать Вам о нём. Публично показываются только место, организация, дата и число учеников, и только для публичных мероприятий. Вы можете в любой момент попросить нас удалить Вашу регистрацию по ссылке из письма.
register-submit = Зарегистрировать мероприятие
form-has-errors = Пожалуйста, исправьте отмеченные ниже поля.

## Form errors
error-required = Это обязательное поле.
error-too-long = Текст слишком длинный (не более { $max ->
    [one] { $max } символа
    [few] { $max } символов
    [many] { $max } символов
   *[other] { $max } символа
}).
error-email = Это не адрес электронной почты.
error-date = Это не дата (выберите дату в календаре или введите её в формате ГГГГ-ММ-ДД).
error-date-order = Последний день не может быть раньше первого.
error-date-range = Дата должна быть в промежутке с { $from } по { $to }
error-students = Укажите целое число учеников от 1 до { $max }.
error-students-actual = Укажите целое число учеников от 0 до { $max }.
error-country = Выберите страну из списка.
error-latitude = Широта — это число от -90 до 90.
error-longitude = Долгота — это число от -180 до 180.
error-coordinates-pair = Укажите и широту, и долготу или не указывайте ни то, ни другое.
error-url = Укажите ссылку, которая начинается с https:// или http://.
error-online-url = Для онлайн-мероприятия нужна ссылка.
error-place = Для очного мероприятия нужен город или координаты.
error-consent = Мы можем зарегистрировать мероприятие, только если Вы согласитесь с уведомлением о конфиденциальности.
error-language = Выберите язык из списка.
error-event-type = Выберите тип мероприятия из списка.
error-too-many = Из Вашей сети за короткое время поступило слишком много регистраций. Пожалуйста, повторите попытку через несколько минут.
error-body-too-large = Форма слишком большая.
error-cancelled = Это мероприятие отменено.

## After registering
registered-title = Проверьте почту
registered-body = Мы отправили ссылку на адрес { $email }. Откройте её, чтобы подтвердить мероприятие; до подтверждения оно не учитывается.
registered-updated = Вы уже регистрировали это мероприятие, поэтому мы обновили его, а не добавили повторно.
confirmed-title = Спасибо, Ваше мероприятие подтверждено
confirmed-pending = Вскоре его проверит модератор; после одобрения оно будет учтено и показано.
confirmed-approved = Оно учтено и показано на карте.

## The organizer's page
manage-title = Ваше мероприятие
manage-lead = Эта ссылка есть только у Вас. Сохраните её, чтобы изменить или отменить мероприятие и сообщить, сколько учеников приняли участие.
manage-status = Статус
status-unconfirmed = Ожидает Вашего подтверждения
status-pending = Ожидает одобрения
status-approved = Одобрено
status-rejected = Не одобрено
status-cancelled = Отменено
manage-rejected-reason = Причина: { $reason }
manage-edit = Изменить мероприятие
manage-save = Сохранить изменения
manage-saved = Изменения сохранены.
manage-saved-pending = Изменения сохранены; модератор проверит их ещё раз.
manage-cancel = Отменить мероприятие
manage-cancel-confirm = Да, отменить это мероприятие
manage-cancelled = Ваше мероприятие отменено.
report-title = После мероприятия
report-lead = Сколько учеников приняли участие? Счётчик будет использовать это число вместо ожидаемого.
report-field = Число учеников, принявших участие
report-submit = Отправить
report-saved = Спасибо! { $students ->
    [one] Учтён { $students } ученик.
    [few] Учтены { $students } ученика.
    [many] Учтено { $students } учеников.
   *[other] Учтено { $students } ученика.
}
report-not-yet = Сообщить число участников можно после первого дня мероприятия ({ $date }).
certificate-title = Сертификат участника
certificate-lead = Скачайте сертификат на Ваше имя или на имя ученика или учителя.
certificate-name = Имя в сертификате
certificate-download = Скачать сертификат (PDF)
certificate-needs-report = Сначала сообщите число учеников; после этого можно будет скачать сертификаты.

## Events list
events-title = Мероприятия
events-search = Поиск
events-filter-country = Страна
events-filter-city = Город
events-filter-type = Тип
events-filter-language = Язык
events-filter-from = С
events-filter-to = По
events-filter-any = Все
events-filter-submit = Показать мероприятия
events-none = Подходящих мероприятий не найдено.
events-count = { $count ->
    [one] { $count } мероприятие
    [few] { $count } мероприятия
    [many] { $count } мероприятий
   *[other] { $count } мероприятия
}
events-online = Онлайн
events-students = { $students ->
    [one] { $students } ученик
    [few] { $students } ученика
    [many] { $students } учеников
   *[other] { $students } ученика
}
events-next = Следующая страница
events-previous = Предыдущая страница

## Map
map-title = Карта мероприятий
map-world = Весь мир
map-zoom = Показать одну страну
map-legend = Чем темнее страна, тем больше в ней участвующих учеников.
map-country-summary = { $country }: { $events ->
    [one] { $events } мероприятие
    [few] { $events } мероприятия
    [many] { $events } мероприятий
   *[other] { $events } мероприятия
}, { $students ->
    [one] { $students } ученик
    [few] { $students } ученика
    [many] { $students } учеников
   *[other] { $students } ученика
}
map-tiles = Карта улиц

## Partners
partners-title = Наши партнёры
partners-lead = Эти организации помогают сделать информатику доступной каждому ученику.
partners-none = Скоро здесь появятся наши партнёры.
partners-other = Партнёры

## Statistics
stats-title = Статистика
stats-by-country = По странам
stats-by-type = По типам мероприятий
stats-over-time = Регистрации по неделям
stats-week-of = Неделя с { $date }
stats-country = Страна
stats-events = Мероприятия
stats-students = Ученики
stats-type = Тип
stats-registrations = Регистрации
stats-data = Эти данные в машиночитаемом виде

## Embeds
embed-counter = { $students ->
    [one] { $students } ученик уже принял участие
    [few] { $students } ученика уже приняли участие
    [many] { $students } учеников уже приняли участие
   *[other] { $students } ученика уже приняли участие
}
embed-register = Принять участие

## The partner's link page
link-lead = Спасибо, что вы с нами. Эта страница только для вас: пожалуйста, не передавайте её адрес другим.
link-contact-title = Ваш контакт в кампании
link-contact-lead = Есть вопросы или нужно что-то изменить? Пишите:
link-contact-none = Есть вопросы? Ответьте на письмо, в котором пришла эта ссылка.
link-asks-title = О чём мы просим
link-asks-none = Пока ничего.
link-status-proposed = Предложено
link-status-agreed = Согласовано
link-status-fulfilled = Выполнено
link-status-missed = Не выполнено
link-status-declined = Отклонено
link-due = срок: { $date }
link-quantity = Сколько ({ $unit })?
link-note = Примечание (необязательно)
link-confirm = Подтвердить
link-decline = Отказаться
link-confirmed = Спасибо! Вы подтвердили: «{ $ask }». Команда кампании уже видит ваш ответ.
link-declined = Спасибо! Вы отказались: «{ $ask }». Команда кампании уже видит ваш ответ.
link-material-title = Материалы для вас
link-material-none = Пока ничего не отправлено.
link-asset-logo = логотип
link-asset-banner = баннер
link-asset-poster = плакат
link-asset-press_kit = пресс-кит
link-asset-tutorial = учебный материал
link-asset-other = другое
link-logo-title = Ваш логотип на сайте кампании
link-logo-alt = Логотип: { $partner }
link-logo-upload = Загрузите ваш логотип (PNG, JPEG, WebP или SVG, до 20 МБ)
link-logo-replace = Замените ваш логотип (PNG, JPEG, WebP или SVG, до 20 МБ)
link-logo-submit = Загрузить
link-logo-uploaded = Спасибо! Ваш логотип загружен.
link-listed = Когда партнёр выполнит свою часть, мы благодарим его на сайте кампании — по названию и с логотипом.
link-opted-out = Вы попросили не указывать вас среди партнёров кампании.
link-list-us = Указать нас среди партнёров
link-do-not-list = Не указывать нас
link-error-number = Введите целое число.
link-error-quantity = Введите число от 0 до { $max }.
link-error-quantity-missing = Укажите, сколько ({ $unit }) вы берёте на себя.
link-error-answered = На эту просьбу уже дан ответ.
link-error-logo = Этот файл нельзя использовать как логотип. Выберите изображение PNG, JPEG, WebP или SVG размером до 20 МБ.
link-error-logo-missing = Сначала выберите файл.
link-contacts-title = Ваши контакты и рассылка кампании
link-contacts-lead = Выберите для каждого из ваших контактов, получает ли он новости кампании по электронной почте.
link-contacts-none = У нас пока нет ваших контактов.
link-consent-yes = Да, присылать новости кампании
link-consent-no = Без новостей кампании
link-consent-unknown = Пока не выбрано.
link-consent-save = Сохранить
link-consent-saved = Спасибо! Выбор рассылки для { $name } сохранён.
link-error-consent = Сначала выберите один из двух ответов.

## E-mails to organizers
mail-confirm-subject = Подтвердите Ваше мероприятие: { $title }
mail-confirm-body =
    Здравствуйте, { $name }!

    Спасибо, что зарегистрировали мероприятие «{ $title }» в кампании { $campaign }.

    Пожалуйста, подтвердите мероприятие, открыв эту ссылку:
    { $confirm_url }

    Сохраните это письмо: по той же ссылке можно изменить или отменить мероприятие, сообщить, сколько учеников приняли участие, и скачать сертификаты.

    Если Вы не регистрировали это мероприятие, просто проигнорируйте это письмо, и ничего не будет учтено.
mail-approved-subject = Ваше мероприятие одобрено: { $title }
mail-approved-body =
    Здравствуйте, { $name }!

    Ваше мероприятие «{ $title }» одобрено и засчитано в кампании { $campaign }. Спасибо за участие!

    После мероприятия сообщите здесь, сколько учеников приняли участие, и скачайте сертификаты:
    { $manage_url }
mail-rejected-subject = Ваше мероприятие не одобрено: { $title }
mail-rejected-body =
    Здравствуйте, { $name }!

    К сожалению, мы не смогли одобрить Ваше мероприятие «{ $title }» в кампании { $campaign }.

    Причина: { $reason }

    Вы можете изменить мероприятие, и его рассмотрят ещё раз:
    { $manage_url }
mail-footer = Вы получили это письмо, потому что с этого адреса было зарегистрировано мероприятие в кампании { $campaign }.

## Additions: statistics, the map, the organizer's page, certificates
stats-week-of-label = Неделя
embed-title = Покажите счётчик или партнёров на своём сайте
map-countries = Страны-участницы
partners-main = Главные партнёры
manage-confirm = Подтвердить мероприятие
manage-confirm-lead = Подтвердите, пожалуйста, что это мероприятие зарегистрировали Вы. До подтверждения оно не учитывается.
manage-location-country = Мы не нашли населённый пункт, поэтому мероприятие показано в центре страны. Укажите координаты ниже, чтобы отметить его точно.
certificate-default-body = за участие в мероприятии «{ $event }» ({ $organization }) в рамках кампании «{ $campaign }», { $date }, вместе с { $students ->
    [one] { $students } учеником
    [few] { $students } учениками
    [many] { $students } учениками
   *[other] { $students } ученика
}.
certificate-unsupported = В сертификате нельзя показать эти символы: { $characters }. Пожалуйста, напишите имя другим алфавитом.
attribution = Населённые пункты: GeoNames (CC BY 4.0). Карта: Natural Earth.
attribution-licence = Лицензия данных о населённых пунктах
legend-organizer = О Вас
legend-event = Мероприятие
legend-place = Где
manage-delete = Удалить мою регистрацию
manage-delete-lead = Мероприятие, Ваше имя и адрес электронной почты будут удалены безвозвратно; мероприятие больше не учитывается, а эта ссылка перестанет работать.
manage-delete-confirm = Да, удалить мою регистрацию
manage-deleted = Ваша регистрация удалена. Спасибо за интерес к кампании.
manage-data = Мои данные
manage-data-lead = Скачайте всё, что эта кампания хранит о вас (ваши мероприятия, отправленные вам письма, ваши согласия), в файле JSON или удалите эти данные. После удаления ваши мероприятия остаются в подсчёте кампании, но без вашего имени, школы, адреса электронной почты и описания, и письма вам больше не приходят.
manage-data-download = Скачать мои данные
manage-erase = Удалить мои данные
manage-erase-confirm = Да, удалить мои данные из этой кампании; это нельзя отменить
manage-erased = Ваши данные удалены из кампании. Ваши мероприятия по-прежнему учитываются, но без вашего имени и школы, и писем от кампании вы больше не получите.
mail-report-subject = Сколько учеников приняли участие в мероприятии «{ $title }»?
mail-report-body =
    Здравствуйте, { $name }!

    Спасибо, что провели «{ $title }» в рамках кампании «{ $campaign }»!

    Сообщите, пожалуйста, сколько учеников приняли участие: счётчик кампании будет учитывать Ваше число вместо ожидаемого. На той же странице можно скачать сертификаты для Ваших учеников:
    { $manage_url }
manage-map = Ваше мероприятие на карте. Если точка стоит не там, укажите координаты в разделе «Изменить мероприятие».

## Страницы ошибок публичного сайта
error-page-not-found-title = Не найдено
error-page-not-found = Здесь ничего нет. Возможно, ссылка устарела или набрана с ошибкой.
error-page-forbidden-title = Недоступно
error-page-forbidden = Это нельзя изменить отсюда.
error-page-expired-title = Форма устарела
error-page-expired = Срок действия этой формы истёк. Вернитесь, обновите страницу и попробуйте ещё раз.
error-page-too-large-title = Слишком большой объём
error-page-too-large = Это больше, чем мы принимаем за один раз.
error-page-bad-request-title = Так нельзя
error-page-bad-request = Это действие невозможно. Вернитесь и проверьте отправленные данные.
error-page-too-many-title = Слишком много попыток
error-page-too-many = Слишком много попыток за короткое время. Подождите несколько минут и попробуйте ещё раз.
error-page-unavailable-title = Сервер занят
error-page-unavailable = Сейчас мы не можем ответить. Попробуйте ещё раз чуть позже.
error-page-storage-full-title = Сохранение сейчас невозможно
error-page-storage-full = Сейчас мы не можем ничего сохранить: хранилище заполнено. Ничего не изменилось. Попробуйте ещё раз через несколько минут.
error-page-internal-title = Что-то пошло не так
error-page-internal = На нашей стороне что-то пошло не так. Мы это записали; попробуйте ещё раз позже.
error-page-back = Вернуться к кампании
error-storage-full = Сейчас мы не можем сохранять регистрации: хранилище заполнено. Ничего не сохранено; ваши ответы остались в форме. Попробуйте ещё раз через несколько минут.
error-unavailable = Сейчас мы не можем сохранять регистрации. Ничего не сохранено; ваши ответы остались в форме. Попробуйте ещё раз чуть позже.

# Shown to the team on a site that is not published yet.
site-draft = Черновик: этот сайт видит только ваша команда. Владелец публикует его на панели кампании.

# The campaign's privacy notice page and agreeing again to a new version.
privacy-version = Версия { $version }, опубликована { $date }
privacy-builtin = Кампания не опубликовала собственное уведомление о конфиденциальности. Вот с чем вы соглашаетесь, регистрируя мероприятие:
privacy-read = Прочитать уведомление о конфиденциальности полностью
reconsent-title = Мы обновили уведомление о конфиденциальности
reconsent-lead = Вы согласились с предыдущей версией. Пожалуйста, прочитайте новую: новости кампании снова будут приходить вам, когда вы с ней согласитесь. Письма о вашем мероприятии приходят в любом случае.
reconsent-agree = Я согласен(на) с новым уведомлением о конфиденциальности
reconsent-done = Спасибо: ваше согласие с новым уведомлением о конфиденциальности записано.

## Activity review (the team's decision on a proposed activity, e-mailed to whoever proposed it)
activity-rejected-subject = Ваше занятие не включено в каталог: { $title }
activity-rejected-body =
    Здравствуйте, { $name }!

    Спасибо, что предложили «{ $title }» для каталога занятий кампании { $campaign }. Мы рассмотрели предложение, но, к сожалению, не смогли включить его в каталог.

    Причина: { $reason }

    Если Вы сможете исправить то, что указано в причине, предложите занятие ещё раз.
activity-mail-footer = Вы получили это письмо, потому что с этого адреса было предложено занятие для кампании { $campaign }.

## Activity catalogue: the public list, an activity's page, suggesting an activity (site and partner link).
nav-activities = Занятия
activities-title = Занятия
activities-lead = Чем заняться на уроке: занятия для любого возраста, многие на вашем языке, некоторые совсем без компьютеров.
activities-submit-link = Предложить занятие
activities-filters = Фильтры
activities-search = Поиск
activities-filter-submit = Показать занятия
activities-chosen = Ваш выбор
activities-remove = Убрать «{ $value }»
activities-clear = Сбросить все фильтры
activities-count = { $count ->
    [one] { $count } занятие
    [few] { $count } занятия
    [many] { $count } занятий
   *[other] { $count } занятия
}
activities-none = Подходящих занятий нет. Уберите какой-нибудь фильтр, чтобы увидеть больше.
activities-in-your-language = На вашем языке
activities-other-languages = Также на других языках
activities-pages = Страницы
activity-minutes = { $minutes ->
    [one] { $minutes } минута
    [few] { $minutes } минуты
    [many] { $minutes } минут
   *[other] { $minutes } минуты
}
activity-follow-on = с продолжением
activity-by = Автор: { $provider }
activity-open = Открыть занятие
activity-download = Скачать материалы
activity-host = Провести мероприятие с этим занятием
activity-usage = Это занятие уже выбрали: { $events ->
    [one] { $events } мероприятие
    [few] { $events } мероприятия
    [many] { $events } мероприятий
   *[other] { $events } мероприятия
}, { $students ->
    [one] { $students } ученик
    [few] { $students } ученика
    [many] { $students } учеников
   *[other] { $students } ученика
}.
activity-back = Все занятия
activity-facts = О занятии
activity-provider = Автор
activity-duration = Продолжительность
activity-languages = Доступно на языках
activity-print = Распечатать на каждого ученика
facet-age = Возраст
facet-grade = Класс
facet-student_experience = Опыт учеников
facet-teacher_experience = Опыт учителя
facet-format = Формат
facet-length = Продолжительность
facet-language = Язык
facet-programming = Программирование
facet-equipment = Оборудование
facet-accessibility = Доступность
facet-subject = Предмет
facet-age-4-6 = 4–6 лет
facet-age-7-10 = 7–10 лет
facet-age-11-13 = 11–13 лет
facet-age-14-18 = 14–18 лет
facet-age-adults = Взрослые
facet-grade-pre = Дошкольники
facet-grade-k = Подготовительная группа
facet-grade-n = { $grade } класс
facet-student_experience-beginner = Новички
facet-student_experience-comfortable = С некоторым опытом
facet-teacher_experience-none = Опыт не нужен
facet-teacher_experience-some = Нужен некоторый опыт
facet-format-tutorial = Самостоятельный урок
facet-format-lesson_plan = План урока
facet-format-unplugged = Занятие без компьютера
facet-format-robotics = Робототехника и устройства
facet-length-up_to_30 = До 30 минут
facet-length-up_to_60 = От 30 до 60 минут
facet-length-over_60 = Больше часа
facet-length-follow_on = Есть продолжение
facet-programming-blocks = Блоки
facet-programming-text = Текстовый код
facet-programming-none = Без программирования
facet-equipment-computers = Компьютеры
facet-equipment-tablets = Планшеты или телефоны
facet-equipment-offline = Работает без интернета
facet-equipment-no_computers = Без компьютеров
facet-accessibility-screen_reader = Работает с программой чтения с экрана
facet-accessibility-keyboard_only = Только клавиатура
facet-accessibility-no_reading = Не требует чтения
facet-accessibility-low_motor = Низкая моторная нагрузка
facet-subject-computer_science = Информатика
facet-subject-maths = Математика
facet-subject-science = Естественные науки
facet-subject-language_arts = Язык и литература
facet-subject-art = Изобразительное искусство
facet-subject-music = Музыка
facet-subject-social_studies = Обществознание
activity-submit-title = Предложить занятие
activity-submit-lead = Знаете хорошее занятие для урока? Расскажите нам. Наша команда проверяет каждое предложение перед публикацией: оно должно работать без регистрации и оплаты, подходить указанному возрасту, быть доступным, как описано, и существовать на указанных языках.
activity-legend-text = Занятие
activity-field-language = Язык этого описания
activity-field-title = Название
activity-field-summary = Кратко (одно-два предложения)
activity-field-description = Описание
activity-field-url = Веб-адрес занятия
activity-field-provider = Кто его создал
activity-legend-running = Проведение
activity-field-duration = Продолжительность в минутах
activity-field-follow-on = У него есть продолжение
activity-field-print = Что распечатать на каждого ученика (для занятий без компьютера)
activity-field-languages = Языки, на которых оно доступно
activity-legend-submitter = О вас
activity-submitter-help = Мы напишем вам, когда команда его рассмотрит. Ваш адрес никогда не показывается на сайте.
activity-field-submitter-name = Ваше имя
activity-field-submitter-email = Ваш адрес электронной почты
activity-submit-button = Отправить на проверку
activity-submitted-title = Спасибо
activity-submitted = Спасибо: ваше предложение ждёт проверки нашей командой. Мы напишем на { $email }, когда рассмотрим его.
activity-error-url-missing = Укажите веб-адрес занятия.
activity-error-duration = Укажите продолжительность целым числом минут, от 1 до { $max }.
activity-error-languages = Выберите из списка не больше { $max } языков.
activity-error-choice = Выберите из списка.
activity-error-too-many = Слишком много предложений из вашей сети за короткое время. Попробуйте ещё раз через несколько минут.
activity-error-unavailable = Сейчас мы не можем сохранить предложения. Ничего не сохранено; ваши ответы остались в форме. Попробуйте ещё раз через минуту.
link-activity-title = Предложить занятие
link-activity-lead = Ваша организация предлагает занятие для урока? Предложите его для каталога кампании: команда проверит его перед публикацией.
link-activity-submitted = Спасибо: ваше занятие ждёт проверки командой.

## Map that finds events (clusters and points as links, zoom, events near a town) and an event's page
map-area = выбранная область
map-summary = На карте { $events ->
    [one] { $events } мероприятие
    [few] { $events } мероприятия
    [many] { $events } мероприятий
   *[other] { $events } мероприятия
} в { $places ->
    [one] { $places } месте
   *[other] { $places } местах
}. Каждое место на карте — ссылка; в списке после карты те же ссылки.
map-cluster = { $places }: { $events ->
    [one] { $events } мероприятие
    [few] { $events } мероприятия
    [many] { $events } мероприятий
   *[other] { $events } мероприятия
}, { $students ->
    [one] { $students } ученик
    [few] { $students } ученика
    [many] { $students } учеников
   *[other] { $students } ученика
}
map-list-events = Мероприятия на карте
map-list-places = Места на карте
map-list-more = И ещё { $count ->
    [one] { $count } место: приблизьте карту, чтобы его увидеть.
    [few] { $count } места: приблизьте карту, чтобы их увидеть.
    [many] { $count } мест: приблизьте карту, чтобы их увидеть.
   *[other] { $count } места: приблизьте карту, чтобы их увидеть.
}
map-empty = На этой части карты мероприятий нет.
map-zoom-out = Отдалить
map-near-label = Мероприятия рядом с городом
map-near-radius = В пределах
map-near-km = { $km } км
map-near-submit = Найти мероприятия
map-near-heading = Мероприятия в пределах { $km } км от города { $town }
map-near-unknown = Мы не знаем города «{ $name }». Проверьте написание или попробуйте более крупный город поблизости.
map-near-choose = Какой город «{ $name }» вы имеете в виду?
map-near-others = Другие города с названием «{ $name }»:
map-near-candidate = { $town } (жителей: { $population })
map-near-distance = в { $km } км
map-near-here = ближе 1 км
map-near-more = И ещё { $count ->
    [one] { $count } мероприятие дальше: выберите меньшее расстояние, чтобы его увидеть.
    [few] { $count } мероприятия дальше: выберите меньшее расстояние, чтобы их увидеть.
    [many] { $count } мероприятий дальше: выберите меньшее расстояние, чтобы их увидеть.
   *[other] { $count } мероприятия дальше: выберите меньшее расстояние, чтобы их увидеть.
}
map-near-clear = Сбросить поиск
map-activity = Только мероприятия с занятием «{ $activity }».
map-activity-unknown = Только мероприятия с одним занятием.
map-activity-all = Показать все мероприятия
event-page-organization = Организация
event-page-type = Тип мероприятия
event-page-place = Где
event-page-dates = Когда
event-page-ages = Возраст
event-page-language = Язык
event-page-students = Ученики
event-page-link = Ссылка
event-page-about = О мероприятии
event-page-on-map = Показать на карте
event-page-all = Все мероприятия

## Events' activities and partner attribution (registration form, events filter, recognition wall, partner link page)
picker-legend = Что вы будете проводить?
picker-help = Выберите до пяти занятий из каталога кампании или опишите своё.
picker-search = Поиск в каталоге по названию
picker-search-button = Найти
picker-none = В каталоге нет подходящих занятий. Опишите своё ниже.
picker-own = Наше собственное занятие (необязательно)
picker-heard-from = Как вы о нас узнали?
picker-heard-none = Выберите (необязательно)
picker-heard-other = Другое
error-activities = Выберите занятия из списка.
error-activities-too-many = Выберите не больше { $max } занятий.
error-heard-from = Выберите один из ответов в списке.
events-filter-activity = Занятие
partner-brought = Привели мероприятий: { $events }, учеников: { $students }
link-share-title = Ваша ссылка для распространения
link-share-lead = Поделитесь этим адресом со школами и учителями: мероприятия, зарегистрированные после перехода по нему, засчитываются вам.
link-share-label = Ссылка для распространения
link-brought-none = Через вас пока не пришло ни одного одобренного мероприятия.

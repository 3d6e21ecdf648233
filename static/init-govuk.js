// Starts GOV.UK Frontend's components (error summaries, notification banners, …).
import { initAll } from '/assets/govuk-frontend.min.js'
initAll()
